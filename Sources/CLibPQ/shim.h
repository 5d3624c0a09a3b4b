// libpq's client API (Debian: libpq-dev, which puts it in /usr/include/postgresql). Imported only
// by PostgresClient, which loads libpq with outrigger_load_libpq() (CLibraryLoader) before its
// first call.
#include <postgresql/libpq-fe.h>
