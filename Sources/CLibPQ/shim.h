// libpq's client API (Debian: libpq-dev; pkg-config: libpq). Imported only by PostgresClient.
#include <libpq-fe.h>
