// The C libraries of the broker and database clients, loaded when a component first needs one
// rather than when the sidecar starts. Linked, they and what they pull in (OpenSSL, SASL,
// compression, GnuTLS and Kerberos for libpq, ...) cost every sidecar several megabytes of
// resident memory and milliseconds of its start, and most sidecars use one broker or none.
//
// Each function returns NULL once its library is loaded (later calls return the first
// outcome), or why it is not: the library is missing (dlerror's text and the Debian package to
// install) or lacks a function. A client module calls it before its first call into the
// library and turns a failure into its own connection error; a library function called before
// its library loaded ends the process.
#ifndef OUTRIGGER_CLIBRARYLOADER_H
#define OUTRIGGER_CLIBRARYLOADER_H

const char *outrigger_load_libpq(void);
const char *outrigger_load_hiredis(void);
const char *outrigger_load_rdkafka(void);
const char *outrigger_load_mosquitto(void);
const char *outrigger_load_rabbitmq(void);
const char *outrigger_load_nats(void);

#endif
