// libpq's client API (Debian: libpq-dev, which puts it in /usr/include/postgresql). Imported only
// by PostgresClient.
//
// The sidecar does not load libpq when it starts: libpq and the ~20 libraries it pulls in
// (GnuTLS, Kerberos, LDAP, ...) cost 3.2 MB of resident memory and several milliseconds of every
// start, and most sidecars have no PostgreSQL component. The CLibPQLoader target defines the libpq
// functions PostgresClient calls; the first call loads libpq.so.5 with dlopen and forwards to it
// (the module map links nothing, and the target has no pkg-config name, whose libs would).
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5 once (later calls return the first outcome): NULL when it is ready, else
/// why it is not (dlerror's text, or the function it lacks). PostgresClient calls it before
/// any libpq function: those abort the process when libpq cannot be loaded.
const char *outrigger_libpq_load(void);
