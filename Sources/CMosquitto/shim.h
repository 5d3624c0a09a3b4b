// libmosquitto 2.0's client API (Debian: libmosquitto-dev, loaded on first use).
// Imported only by MQTTClient, which runs each handle's network loop on a thread of its own.
#include <mosquitto.h>
