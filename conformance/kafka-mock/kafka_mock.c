/*
 * kafka_mock: a stand-alone Kafka broker for Outrigger's conformance tests.
 *
 * It wraps librdkafka's mock cluster (rdkafka_mock.h), which speaks the real
 * Kafka wire protocol over TCP, and pins the cluster's listener(s) to a fixed
 * loopback port (default 127.0.0.1:9092, like docker-compose's Kafka) so that
 * other processes can use it as an ordinary broker.
 *
 * librdkafka 2.0.x binds every mock broker to 127.0.0.1:0 and offers no way
 * to choose the port, so this program defines its own bind(): while the
 * cluster is being created, a bind of an AF_INET socket to 127.0.0.1:0 is
 * rewritten to PORT, PORT+1, ... and forwarded to libc's bind() found with
 * dlsym(RTLD_NEXT).  The executable must export the symbol
 * (-Wl,--export-dynamic-symbol=bind) so librdkafka's call resolves to it.
 *
 * Usage: kafka-mock [-p PORT] [-b BROKERS] [-P PARTITIONS] [-f FILE]
 *                   [TOPIC[:PARTITIONS]]...
 *
 *   -p PORT        first listener port (default 9092; broker i gets PORT+i-1)
 *   -b BROKERS     number of mock brokers (default 1)
 *   -P PARTITIONS  partitions of the topics named without ":N" (default 1)
 *   -f FILE        also write the bootstrap address to FILE
 *   TOPIC[:N]      topics to create up front (others are auto-created on
 *                  first use with the mock's default of 4 partitions)
 *
 * Prints "bootstrap.servers=127.0.0.1:9092" on stdout once it is serving,
 * then runs until SIGTERM or SIGINT and destroys the cluster cleanly.
 * Exit codes: 0 clean shutdown, 1 start-up error, 2 bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* ---- bind() interposition ------------------------------------------------ */

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static int pin_armed;        /* rewrite binds only while this is set       */
static int pin_next_port;    /* port handed to the next rewritten bind      */
static int pin_remaining;    /* how many more binds may be rewritten        */
static int pin_rewritten;    /* how many binds were rewritten               */
static int pin_failed_errno; /* errno of a failed rewritten bind, or 0      */

static bind_fn real_bind(void) {
        static bind_fn fn;
        if (!fn) {
                /* memcpy: ISO C has no object-to-function pointer cast. */
                void *sym = dlsym(RTLD_NEXT, "bind");
                memcpy(&fn, &sym, sizeof(fn));
        }
        return fn;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
        bind_fn next = real_bind();
        if (!next) {
                errno = ENOSYS;
                return -1;
        }

        if (addr && addr->sa_family == AF_INET &&
            len >= (socklen_t)sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
                int port = -1;

                pthread_mutex_lock(&pin_lock);
                if (pin_armed && pin_remaining > 0 && in->sin_port == 0 &&
                    in->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
                        port = pin_next_port++;
                        pin_remaining--;
                        pin_rewritten++;
                }
                pthread_mutex_unlock(&pin_lock);

                if (port > 0) {
                        struct sockaddr_in pinned = *in;
                        int one = 1, rc;
                        pinned.sin_port = htons((uint16_t)port);
                        /* Let a restart reuse the port while old
                         * connections sit in TIME_WAIT. */
                        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                                         sizeof(one));
                        rc = next(fd, (const struct sockaddr *)&pinned,
                                  sizeof(pinned));
                        if (rc != 0) {
                                int saved = errno;
                                pthread_mutex_lock(&pin_lock);
                                pin_failed_errno = saved;
                                pthread_mutex_unlock(&pin_lock);
                                fprintf(stderr,
                                        "kafka-mock: bind 127.0.0.1:%d: %s\n",
                                        port, strerror(saved));
                                errno = saved;
                        }
                        return rc;
                }
        }
        return next(fd, addr, len);
}

/* ---- helpers ------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void usage(FILE *out) {
        fprintf(out,
                "usage: kafka-mock [-p PORT] [-b BROKERS] [-P PARTITIONS] "
                "[-f FILE] [TOPIC[:PARTITIONS]]...\n");
}

static int parse_int(const char *s, int lo, int hi, int *out) {
        char *end;
        long v;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < lo || v > hi)
                return -1;
        *out = (int)v;
        return 0;
}

/* Returns 0 if 127.0.0.1:port can be bound (nobody listens there). */
static int port_is_free(int port, int *err) {
        struct sockaddr_in a;
        bind_fn next = real_bind();
        int one = 1, rc;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
                *err = errno;
                return -1;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = next ? next(fd, (struct sockaddr *)&a, sizeof(a)) : -1;
        *err = rc == 0 ? 0 : (next ? errno : ENOSYS);
        close(fd);
        return rc;
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        (void)rk;
        fprintf(stderr, "kafka-mock: [%d] %s: %s\n", level, fac, buf);
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv) {
        int port = 9092, brokers = 1, partitions = 1, opt, i, rc = 0;
        const char *bootstrap_file = NULL;
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mcluster;
        const char *bootstraps;
        struct sigaction sa;

        while ((opt = getopt(argc, argv, "p:b:P:f:h")) != -1) {
                switch (opt) {
                case 'p':
                        if (parse_int(optarg, 1, 65535, &port)) {
                                fprintf(stderr, "kafka-mock: bad port: %s\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 'b':
                        if (parse_int(optarg, 1, 16, &brokers)) {
                                fprintf(stderr,
                                        "kafka-mock: bad broker count: %s\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 'P':
                        if (parse_int(optarg, 1, 1000, &partitions)) {
                                fprintf(stderr,
                                        "kafka-mock: bad partition count: "
                                        "%s\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 'f':
                        bootstrap_file = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (port + brokers - 1 > 65535) {
                fprintf(stderr, "kafka-mock: ports %d..%d out of range\n",
                        port, port + brokers - 1);
                return 2;
        }

        /* A failed bind inside the mock aborts the process, so make sure
         * every port we are about to pin is free and say so clearly. */
        for (i = 0; i < brokers; i++) {
                int err;
                if (port_is_free(port + i, &err) != 0) {
                        fprintf(stderr,
                                "kafka-mock: cannot listen on 127.0.0.1:%d: "
                                "%s (is another Kafka already running?)\n",
                                port + i, strerror(err));
                        return 1;
                }
        }

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, on_log);
        /* The handle only hosts the cluster; it never connects anywhere, so
         * its notice about the missing bootstrap.servers is noise. */
        if (rd_kafka_conf_set(conf, "client.id", "outrigger-kafka-mock", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "log_level", "4", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "kafka-mock: %s\n", errstr);
                rd_kafka_conf_destroy(conf);
                return 1;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "kafka-mock: rd_kafka_new: %s\n", errstr);
                return 1;
        }

        pthread_mutex_lock(&pin_lock);
        pin_armed = 1;
        pin_next_port = port;
        pin_remaining = brokers;
        pin_rewritten = 0;
        pin_failed_errno = 0;
        pthread_mutex_unlock(&pin_lock);

        mcluster = rd_kafka_mock_cluster_new(rk, brokers);

        pthread_mutex_lock(&pin_lock);
        pin_armed = 0;
        pthread_mutex_unlock(&pin_lock);

        if (!mcluster) {
                fprintf(stderr, "kafka-mock: rd_kafka_mock_cluster_new "
                                "failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }
        if (pin_failed_errno || pin_rewritten != brokers) {
                fprintf(stderr,
                        "kafka-mock: could not pin the listeners to port %d "
                        "(%d of %d pinned%s%s); was the program linked with "
                        "-Wl,--export-dynamic-symbol=bind?\n",
                        port, pin_rewritten, brokers,
                        pin_failed_errno ? ": " : "",
                        pin_failed_errno ? strerror(pin_failed_errno) : "");
                rd_kafka_mock_cluster_destroy(mcluster);
                rd_kafka_destroy(rk);
                return 1;
        }

        for (i = optind; i < argc; i++) {
                char name[256];
                int pcnt = partitions;
                const char *colon = strrchr(argv[i], ':');
                size_t n = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
                rd_kafka_resp_err_t err;

                if (n == 0 || n >= sizeof(name) ||
                    (colon && parse_int(colon + 1, 1, 1000, &pcnt))) {
                        fprintf(stderr, "kafka-mock: bad topic spec: %s\n",
                                argv[i]);
                        rc = 2;
                        goto out;
                }
                memcpy(name, argv[i], n);
                name[n] = '\0';
                err = rd_kafka_mock_topic_create(mcluster, name, pcnt,
                                                 brokers < 3 ? brokers : 3);
                if (err) {
                        fprintf(stderr, "kafka-mock: create topic %s: %s\n",
                                name, rd_kafka_err2str(err));
                        rc = 1;
                        goto out;
                }
                fprintf(stderr, "kafka-mock: created topic %s (%d partitions)\n",
                        name, pcnt);
        }

        bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
        if (bootstrap_file) {
                FILE *f = fopen(bootstrap_file, "w");
                if (!f || fprintf(f, "%s\n", bootstraps) < 0 || fclose(f)) {
                        fprintf(stderr, "kafka-mock: write %s: %s\n",
                                bootstrap_file, strerror(errno));
                        rc = 1;
                        goto out;
                }
        }
        printf("bootstrap.servers=%s\n", bootstraps);
        fflush(stdout);

        while (!stop_requested) {
                struct timespec ts = {0, 200 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        fprintf(stderr, "kafka-mock: shutting down\n");

out:
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        if (rc == 0)
                fprintf(stderr, "kafka-mock: stopped\n");
        return rc;
}
