/*
 * `make bench` RabbitMQ baseline: COUNT messages of SIZE bytes published straight to RabbitMQ
 * with rabbitmq-c, with the acknowledgement pubsub.rabbitmq waits for: publisher confirms, each
 * message mandatory, at most WINDOW unconfirmed at once (the sidecar bench keeps as many
 * publishes in flight as wrk has connections, each answered by its own confirm; the broker
 * acknowledges them with `multiple` as it does here). Prints confirmed messages per second as a
 * single number on stdout.
 *
 * The exchange is declared as pubsub.rabbitmq declares a topic's exchange (fanout, durable,
 * auto-delete), with a queue bound to it that keeps at most 100,000 messages, so mandatory
 * publishes are routable. `declare` mode only makes that exchange and queue (run it for the
 * topic the sidecar publishes to); `delete` removes the queue again.
 *
 *   cc -O2 -o rabbitmq_confirm_baseline bench/rabbitmq/confirm_baseline.c $(pkg-config --cflags --libs librabbitmq)
 *   ./rabbitmq_confirm_baseline publish 127.0.0.1 5672 outrigger-bench-direct 200000 1024 50
 *   ./rabbitmq_confirm_baseline declare 127.0.0.1 5672 outrigger-bench-sidecar
 *   ./rabbitmq_confirm_baseline delete 127.0.0.1 5672 outrigger-bench-sidecar
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_on_reply(amqp_rpc_reply_t reply, const char *what) {
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        fprintf(stderr, "%s: %s\n", what, amqp_error_string2(reply.library_error));
    else
        fprintf(stderr, "%s: broker refused (method 0x%08x)\n", what, reply.reply.id);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static amqp_connection_state_t connect_to(const char *host, int port) {
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (!socket || amqp_socket_open(socket, host, port) != AMQP_STATUS_OK) {
        fprintf(stderr, "cannot connect to %s:%d\n", host, port);
        exit(2);
    }
    die_on_reply(amqp_login(conn, "/", 0, 131072, 10, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
    amqp_channel_open(conn, 1);
    die_on_reply(amqp_get_rpc_reply(conn), "channel.open");
    return conn;
}

static char queue_name[512];

static void declare(amqp_connection_state_t conn, const char *exchange) {
    snprintf(queue_name, sizeof queue_name, "%s-bench-sink", exchange);
    amqp_exchange_declare(conn, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes("fanout"), 0, 1, 1, 0, amqp_empty_table);
    die_on_reply(amqp_get_rpc_reply(conn), "exchange.declare");
    amqp_table_entry_t limit;
    limit.key = amqp_cstring_bytes("x-max-length");
    limit.value.kind = AMQP_FIELD_KIND_I64;
    limit.value.value.i64 = 100000;
    amqp_table_t arguments = {1, &limit};
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue_name), 0, 0, 0, 0, arguments);
    die_on_reply(amqp_get_rpc_reply(conn), "queue.declare");
    amqp_queue_bind(conn, 1, amqp_cstring_bytes(queue_name), amqp_cstring_bytes(exchange), amqp_cstring_bytes(""), amqp_empty_table);
    die_on_reply(amqp_get_rpc_reply(conn), "queue.bind");
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s publish|declare|delete HOST PORT EXCHANGE [COUNT SIZE WINDOW]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *host = argv[2], *exchange = argv[4];
    int port = atoi(argv[3]);
    long count = argc > 5 ? atol(argv[5]) : 200000;
    long size = argc > 6 ? atol(argv[6]) : 1024;
    long window = argc > 7 ? atol(argv[7]) : 50;

    amqp_connection_state_t conn = connect_to(host, port);
    declare(conn, exchange);
    if (strcmp(mode, "declare") == 0) goto done;
    if (strcmp(mode, "delete") == 0) {
        amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue_name), 0, 0);
        die_on_reply(amqp_get_rpc_reply(conn), "queue.delete");
        goto done;
    }
    amqp_confirm_select(conn, 1);
    die_on_reply(amqp_get_rpc_reply(conn), "confirm.select");

    char *body = malloc(size);
    memset(body, 'x', size);
    amqp_basic_properties_t props;
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.content_type = amqp_cstring_bytes("text/plain");
    unsigned char *confirmed = calloc(count + 2, 1);
    long sent = 0, done_count = 0, lowest = 1, returned = 0, nacked = 0;

    double start = now();
    while (done_count < count) {
        while (sent < count && sent - done_count < window) {
            int status = amqp_basic_publish(conn, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes(""), 1, 0, &props,
                                            (amqp_bytes_t){(size_t)size, body});
            if (status != AMQP_STATUS_OK) {
                fprintf(stderr, "publish: %s\n", amqp_error_string2(status));
                return 2;
            }
            sent++;
        }
        amqp_frame_t frame;
        if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) {
            fprintf(stderr, "connection lost\n");
            return 2;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD || frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            uint64_t tag;
            int multiple;
            if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
                amqp_basic_ack_t *ack = frame.payload.method.decoded;
                tag = ack->delivery_tag;
                multiple = ack->multiple;
            } else {
                amqp_basic_nack_t *nack = frame.payload.method.decoded;
                tag = nack->delivery_tag;
                multiple = nack->multiple;
                nacked++;
            }
            for (uint64_t t = multiple ? (uint64_t)lowest : tag; t <= tag; t++) {
                if (!confirmed[t]) {
                    confirmed[t] = 1;
                    done_count++;
                }
            }
            while (lowest <= count && confirmed[lowest]) lowest++;
        } else if (frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
            amqp_message_t message;
            die_on_reply(amqp_read_message(conn, frame.channel, &message, 0), "basic.return");
            amqp_destroy_message(&message);
            returned++;
        }
        amqp_maybe_release_buffers(conn);
    }
    double elapsed = now() - start;
    if (returned || nacked) fprintf(stderr, "%ld returned, %ld nacked\n", returned, nacked);
    printf("%.0f\n", count / elapsed);
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue_name), 0, 0);
done:
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return 0;
}
