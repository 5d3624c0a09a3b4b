// nats.c, the NATS and JetStream client library (Debian: libnats-dev, loaded on first use).
// Imported only by NATSClient, which runs its blocking calls on threads of its own.
#include <nats/nats.h>
