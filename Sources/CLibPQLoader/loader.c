// The libpq functions PostgresClient calls, each forwarding to libpq.so.5 loaded on first use
// (Sources/CLibPQ/shim.h says why). A libpq function PostgresClient starts to call belongs here
// too: nothing links libpq, so the link fails until it is here.
#include "../CLibPQ/shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBPQ_FUNCTIONS(X)                                                                         \
    X(PQconnectdbParams) X(PQconndefaults) X(PQconninfoFree) X(PQfinish) X(PQstatus)               \
    X(PQerrorMessage) X(PQsocket) X(PQparameterStatus) X(PQsetNoticeProcessor) X(PQconsumeInput)   \
    X(PQgetCancel) X(PQfreeCancel) X(PQcancel) X(PQexec) X(PQexecParams) X(PQprepare)              \
    X(PQexecPrepared) X(PQdescribePrepared) X(PQresultStatus) X(PQresultErrorMessage)              \
    X(PQresultErrorField) X(PQntuples) X(PQnfields) X(PQfname) X(PQftype) X(PQgetvalue)            \
    X(PQgetisnull) X(PQnparams) X(PQparamtype) X(PQcmdTuples) X(PQclear)

static struct {
#define OUTRIGGER_FIELD(name) __typeof__(name) *name;
    LIBPQ_FUNCTIONS(OUTRIGGER_FIELD)
#undef OUTRIGGER_FIELD
} libpq;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "cannot load libpq.so.5 (Debian package libpq5): %s", dlerror());
        return;
    }
#define OUTRIGGER_RESOLVE(name)                                                                    \
    libpq.name = (__typeof__(name) *)dlsym(library, #name);                                        \
    if (libpq.name == NULL) {                                                                      \
        snprintf(failure, sizeof failure, "libpq.so.5 has no %s", #name);                          \
        return;                                                                                    \
    }
    LIBPQ_FUNCTIONS(OUTRIGGER_RESOLVE)
#undef OUTRIGGER_RESOLVE
}

const char *outrigger_libpq_load(void) {
    pthread_once(&loaded, load);
    return failure[0] == '\0' ? NULL : failure;
}

// PostgresClient checks outrigger_libpq_load() before it connects; reaching a libpq call
// without libpq is a bug, not a condition to carry on from.
static void require(void) {
    const char *error = outrigger_libpq_load();
    if (error != NULL) {
        fprintf(stderr, "outrigger: a libpq function was called without libpq: %s\n", error);
        abort();
    }
}

PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    require();
    return libpq.PQconnectdbParams(keywords, values, expand_dbname);
}
PQconninfoOption *PQconndefaults(void) { require(); return libpq.PQconndefaults(); }
void PQconninfoFree(PQconninfoOption *options) { require(); libpq.PQconninfoFree(options); }
void PQfinish(PGconn *conn) { require(); libpq.PQfinish(conn); }
ConnStatusType PQstatus(const PGconn *conn) { require(); return libpq.PQstatus(conn); }
char *PQerrorMessage(const PGconn *conn) { require(); return libpq.PQerrorMessage(conn); }
int PQsocket(const PGconn *conn) { require(); return libpq.PQsocket(conn); }
const char *PQparameterStatus(const PGconn *conn, const char *name) { require(); return libpq.PQparameterStatus(conn, name); }
PQnoticeProcessor PQsetNoticeProcessor(PGconn *conn, PQnoticeProcessor processor, void *argument) {
    require();
    return libpq.PQsetNoticeProcessor(conn, processor, argument);
}
int PQconsumeInput(PGconn *conn) { require(); return libpq.PQconsumeInput(conn); }
PGcancel *PQgetCancel(PGconn *conn) { require(); return libpq.PQgetCancel(conn); }
void PQfreeCancel(PGcancel *cancel) { require(); libpq.PQfreeCancel(cancel); }
int PQcancel(PGcancel *cancel, char *buffer, int size) { require(); return libpq.PQcancel(cancel, buffer, size); }
PGresult *PQexec(PGconn *conn, const char *query) { require(); return libpq.PQexec(conn, query); }
PGresult *PQexecParams(PGconn *conn, const char *command, int count, const Oid *types, const char *const *values,
                       const int *lengths, const int *formats, int resultFormat) {
    require();
    return libpq.PQexecParams(conn, command, count, types, values, lengths, formats, resultFormat);
}
PGresult *PQprepare(PGconn *conn, const char *name, const char *query, int count, const Oid *types) {
    require();
    return libpq.PQprepare(conn, name, query, count, types);
}
PGresult *PQexecPrepared(PGconn *conn, const char *name, int count, const char *const *values, const int *lengths,
                         const int *formats, int resultFormat) {
    require();
    return libpq.PQexecPrepared(conn, name, count, values, lengths, formats, resultFormat);
}
PGresult *PQdescribePrepared(PGconn *conn, const char *name) { require(); return libpq.PQdescribePrepared(conn, name); }
ExecStatusType PQresultStatus(const PGresult *result) { require(); return libpq.PQresultStatus(result); }
char *PQresultErrorMessage(const PGresult *result) { require(); return libpq.PQresultErrorMessage(result); }
char *PQresultErrorField(const PGresult *result, int code) { require(); return libpq.PQresultErrorField(result, code); }
int PQntuples(const PGresult *result) { require(); return libpq.PQntuples(result); }
int PQnfields(const PGresult *result) { require(); return libpq.PQnfields(result); }
char *PQfname(const PGresult *result, int field) { require(); return libpq.PQfname(result, field); }
Oid PQftype(const PGresult *result, int field) { require(); return libpq.PQftype(result, field); }
char *PQgetvalue(const PGresult *result, int row, int field) { require(); return libpq.PQgetvalue(result, row, field); }
int PQgetisnull(const PGresult *result, int row, int field) { require(); return libpq.PQgetisnull(result, row, field); }
int PQnparams(const PGresult *result) { require(); return libpq.PQnparams(result); }
Oid PQparamtype(const PGresult *result, int parameter) { require(); return libpq.PQparamtype(result, parameter); }
char *PQcmdTuples(PGresult *result) { require(); return libpq.PQcmdTuples(result); }
void PQclear(PGresult *result) { require(); libpq.PQclear(result); }
