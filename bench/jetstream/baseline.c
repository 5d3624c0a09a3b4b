// The JetStream baseline of `make bench`: publishes N messages of SIZE bytes straight into
// JetStream with libnats, as pubsub.jetstream does (js_PublishMsgAsync, each message with its
// own Nats-Msg-Id, a PubAck awaited for each), with at most WINDOW publishes awaiting their
// PubAck at once -- the counterpart of WINDOW HTTP connections each waiting for its publish
// through the sidecar. Prints the acknowledged messages per second as one number on stdout.
//
//   cc -O2 -o /tmp/jetstream-baseline bench/jetstream/baseline.c $(pkg-config --cflags --libs libnats)
//   /tmp/jetstream-baseline [-s nats://127.0.0.1:4222] [-n 200000] [-w 50] [-b 1024] [-t subject]
//   /tmp/jetstream-baseline -d STREAM     # only delete STREAM (clean up after the sidecar run)
//
// The stream (named after the subject) is created at the start and deleted at the end.
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int64_t acknowledged = 0;
static volatile int64_t failed = 0;

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    (void) js; (void) closure;
    if (pa != NULL)
        __atomic_add_fetch(&acknowledged, 1, __ATOMIC_RELAXED);
    else if (pae != NULL)
        __atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
    natsMsg_Destroy(msg);
}

static void fail(const char *what, natsStatus s)
{
    fprintf(stderr, "%s: %s\n", what, natsStatus_GetText(s));
    nats_PrintLastErrorStack(stderr);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *url = "nats://127.0.0.1:4222";
    const char *subject = "outrigger-bench-direct";
    const char *only_delete = NULL;
    int count = 200000, window = 50, size = 1024, opt;
    while ((opt = getopt(argc, argv, "s:n:w:b:t:d:")) != -1)
    {
        switch (opt)
        {
        case 's': url = optarg; break;
        case 'n': count = atoi(optarg); break;
        case 'w': window = atoi(optarg); break;
        case 'b': size = atoi(optarg); break;
        case 't': subject = optarg; break;
        case 'd': only_delete = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-s url] [-n count] [-w window] [-b bytes] [-t subject] [-d stream]\n", argv[0]);
            return 2;
        }
    }

    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsOptions jo;
    jsErrCode jerr = 0;
    natsStatus s = natsConnection_ConnectTo(&nc, url);
    if (s != NATS_OK) fail("connect", s);
    jsOptions_Init(&jo);
    jo.PublishAsync.AckHandler = on_ack;
    // The window: a publish beyond it waits in js_PublishMsgAsync until a PubAck frees a slot.
    jo.PublishAsync.MaxPending = window;
    jo.PublishAsync.StallWait = 60000;
    s = natsConnection_JetStream(&js, nc, &jo);
    if (s != NATS_OK) fail("jetstream context", s);

    if (only_delete != NULL)
    {
        s = js_DeleteStream(js, only_delete, NULL, &jerr);
        if (s != NATS_OK && s != NATS_NOT_FOUND) fail("delete stream", s);
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
        return 0;
    }

    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = subject;
    cfg.Subjects = (const char*[1]){subject};
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    js_DeleteStream(js, subject, NULL, &jerr);
    s = js_AddStream(NULL, js, &cfg, NULL, &jerr);
    if (s != NATS_OK) fail("create stream", s);

    char *body = malloc(size);
    memset(body, 'x', size);
    char id[64];
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 10000;

    int64_t start = nats_NowInNanoSeconds();
    for (int i = 0; i < count; i++)
    {
        natsMsg *msg = NULL;
        snprintf(id, sizeof(id), "bench-%lld-%d", (long long) start, i);
        po.MsgId = id;
        s = natsMsg_Create(&msg, subject, NULL, body, size);
        if (s == NATS_OK) s = js_PublishMsgAsync(js, &msg, &po);
        if (s != NATS_OK)
        {
            natsMsg_Destroy(msg);
            fail("publish", s);
        }
    }
    jsPubOptions waitAll;
    jsPubOptions_Init(&waitAll);
    waitAll.MaxWait = 60000;
    s = js_PublishAsyncComplete(js, &waitAll);
    if (s != NATS_OK) fail("waiting for the last PubAcks", s);
    double seconds = (double) (nats_NowInNanoSeconds() - start) / 1e9;

    if (failed > 0) fprintf(stderr, "%lld publishes failed\n", (long long) failed);
    printf("%.0f\n", (double) acknowledged / seconds);

    js_DeleteStream(js, subject, NULL, &jerr);
    free(body);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return failed > 0 ? 1 : 0;
}
