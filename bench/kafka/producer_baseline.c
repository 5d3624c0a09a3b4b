/*
 * `make bench` Kafka baseline: N records of SIZE bytes produced straight to Kafka with
 * librdkafka, with the acknowledgement pubsub.kafka waits for (a delivery report per record,
 * acks=all, idempotent producer, linger.ms=0 as the component), as fast as one producer queues them.
 * Prints acknowledged records per second as a single number on stdout.
 *
 *   cc -O2 -o kafka_producer_baseline bench/kafka/producer_baseline.c $(pkg-config --cflags --libs rdkafka)
 *   ./kafka_producer_baseline 127.0.0.1:9092 bench-baseline 200000 1024
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered = 0, failed = 0;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) failed++; else delivered++;
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: %s\n", key, err);
        exit(2);
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *brokers = argc > 1 ? argv[1] : "127.0.0.1:9092";
    const char *topic = argc > 2 ? argv[2] : "bench-baseline";
    long count = argc > 3 ? atol(argv[3]) : 200000;
    size_t size = argc > 4 ? (size_t)atol(argv[4]) : 1024;
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "acks", "all");
    set(conf, "enable.idempotence", "true");
    set(conf, "linger.ms", "0");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 2; }
    char *body = malloc(size);
    memset(body, 'x', size);
    /* Warm up: the topic exists and the producer has its id before the clock starts. */
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(body, size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    rd_kafka_flush(rk, 10000);
    delivered = failed = 0;
    double start = now();
    for (long i = 0; i < count; i++) {
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(body, size),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    double elapsed = now() - start;
    if (failed) fprintf(stderr, "%ld deliveries failed\n", failed);
    printf("%.0f\n", delivered / elapsed);
    rd_kafka_destroy(rk);
    free(body);
    return failed ? 1 : 0;
}
