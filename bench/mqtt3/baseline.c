// The MQTT baseline of `make bench`: publishes N messages of SIZE bytes with QoS 1 straight into
// the broker with libmosquitto, as pubsub.mqtt3 does (one connection, the library's default
// in-flight window, each publish done when its PUBACK arrived), with at most WINDOW publishes
// awaiting their PUBACK at once -- the counterpart of WINDOW HTTP connections each waiting for
// its publish through the sidecar. A mosquitto_pub-style loop; prints the acknowledged messages
// per second as one number on stdout.
//
//   cc -O2 -o /tmp/mqtt3-baseline bench/mqtt3/baseline.c $(pkg-config --cflags --libs libmosquitto) -lpthread
//   /tmp/mqtt3-baseline [-h 127.0.0.1] [-p 1883] [-n 200000] [-w 50] [-b 1024] [-t topic] [-q 1]
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long acknowledged = 0;
static int connected = 0;

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void) mosq; (void) obj;
    pthread_mutex_lock(&lock);
    connected = rc == 0 ? 1 : -1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void) mosq; (void) obj; (void) mid;
    pthread_mutex_lock(&lock);
    acknowledged++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    const char *topic = "outrigger-bench-direct";
    int port = 1883, count = 200000, window = 50, size = 1024, qos = 1, opt;
    while ((opt = getopt(argc, argv, "h:p:n:w:b:t:q:")) != -1)
    {
        switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'n': count = atoi(optarg); break;
        case 'w': window = atoi(optarg); break;
        case 'b': size = atoi(optarg); break;
        case 't': topic = optarg; break;
        case 'q': qos = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-h host] [-p port] [-n count] [-w window] [-b bytes] [-t topic] [-q qos]\n", argv[0]);
            return 2;
        }
    }
    char *payload = malloc(size);
    memset(payload, 'x', size);
    char id[64];
    snprintf(id, sizeof id, "outrigger-bench-baseline-%d", (int) getpid());

    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(id, true, NULL);
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_publish_callback_set(mosq, on_publish);
    int rc = mosquitto_connect(mosq, host, port, 60);
    if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "connect: %s\n", mosquitto_strerror(rc)); return 1; }
    mosquitto_loop_start(mosq);
    pthread_mutex_lock(&lock);
    while (connected == 0) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    if (connected < 0) { fprintf(stderr, "the broker refused the connection\n"); return 1; }

    double start = now();
    for (long sent = 0; sent < count; sent++)
    {
        pthread_mutex_lock(&lock);
        while (sent - acknowledged >= window) pthread_cond_wait(&changed, &lock);
        pthread_mutex_unlock(&lock);
        rc = mosquitto_publish(mosq, NULL, topic, size, payload, qos, false);
        if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "publish: %s\n", mosquitto_strerror(rc)); return 1; }
    }
    pthread_mutex_lock(&lock);
    while (acknowledged < count) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    double elapsed = now() - start;

    mosquitto_disconnect(mosq);
    mosquitto_loop_stop(mosq, false);
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    printf("%.0f\n", count / elapsed);
    return 0;
}
