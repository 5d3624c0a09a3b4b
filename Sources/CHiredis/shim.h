// hiredis's reply reader and command formatter (Debian: libhiredis-dev, loaded on first use).
// Imported only by RedisClient; the sockets are SwiftNIO's, not hiredis's.
#include <hiredis/hiredis.h>
