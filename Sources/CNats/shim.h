// nats.c, the NATS and JetStream client library (Debian: libnats-dev; pkg-config: libnats).
// Imported only by NATSClient, which runs its blocking calls on threads of its own.
#include <nats/nats.h>
