// Loads each library of libraries.h with dlopen the first time its load function is called,
// and points the library's slots at its functions. Until then every slot points at a function
// that ends the process: calling a library function before its load function succeeded is a
// bug in the client module, not a condition to carry on from.
#include "CLibraryLoader.h"
#include "libraries.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// One slot per function, read by its trampoline (trampolines.S). Hidden: no other module sees them.
#define OUTRIGGER_SLOT(library, function)                                                          \
    __attribute__((visibility("hidden"))) void *outrigger_slot_##function = (void *)outrigger_unloaded_##library;

// What each library's load function needs: its name and Debian package for errors, and for
// each function its name and slot.
#define OUTRIGGER_NAME(library, function) #function,
#define OUTRIGGER_SLOT_ADDRESS(library, function) &outrigger_slot_##function,

struct outrigger_library {
    const char *soname;
    const char *package;
    const char *const *names;
    void **const *slots;
    size_t count;
    pthread_once_t once;
    char failure[512];
};

// Cyrus SASL's plugin path for librdkafka: none (see outrigger_initialize_cyrus_sasl).
static int outrigger_no_sasl_plugins(void *context, const char **path) {
    (void)context;
    *path = "";
    return 0; // SASL_OK
}

// librdkafka initializes Cyrus SASL on its first rd_kafka_conf_new, and Cyrus then dlopens
// every SASL plugin installed (eight on Debian 12, and Berkeley DB with sasldb): nine more
// libraries mapped and 1-3 ms of a sidecar's start, for GSSAPI alone. PLAIN, SCRAM and
// OAUTHBEARER are librdkafka's own code and the Kafka components do not offer GSSAPI, so Cyrus
// is initialized here first with a plugin path that names no directory: it loads nothing, and
// librdkafka's own sasl_client_init finds it initialized. A librdkafka built without Cyrus has
// no such function.
static void outrigger_initialize_cyrus_sasl(void *rdkafka) {
    int (*client_init)(const void *) = (int (*)(const void *))dlsym(rdkafka, "sasl_client_init");
    if (client_init == NULL) return;
    static const struct {
        unsigned long id;
        int (*proc)(void);
        void *context;
    } callbacks[] = {
        {3 /* SASL_CB_GETPATH */, (int (*)(void))outrigger_no_sasl_plugins, NULL},
        {0 /* SASL_CB_LIST_END */, NULL, NULL},
    };
    client_init(callbacks);
}

static void outrigger_load(const char *name, struct outrigger_library *library) {
    void *handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(library->failure, sizeof library->failure, "cannot load %s (Debian package %s): %s",
                 library->soname, library->package, dlerror());
        return;
    }
    if (strcmp(name, "rdkafka") == 0) outrigger_initialize_cyrus_sasl(handle);
    // Resolve every function before any slot changes: a library lacking one is not used at all.
    void *functions[library->count];
    for (size_t index = 0; index < library->count; index++) {
        functions[index] = dlsym(handle, library->names[index]);
        if (functions[index] == NULL) {
            snprintf(library->failure, sizeof library->failure, "%s has no function %s (Debian package %s)",
                     library->soname, library->names[index], library->package);
            return;
        }
    }
    for (size_t index = 0; index < library->count; index++) *library->slots[index] = functions[index];
}

#define OUTRIGGER_DEFINE_LIBRARY(library, soname, package, FUNCTIONS)                              \
    static void outrigger_unloaded_##library(void) {                                               \
        fprintf(stderr, "outrigger: a function of %s was called before it was loaded\n", soname);  \
        abort();                                                                                   \
    }                                                                                              \
    FUNCTIONS(OUTRIGGER_SLOT, library)                                                             \
    static const char *const outrigger_names_##library[] = {FUNCTIONS(OUTRIGGER_NAME, library)};   \
    static void **const outrigger_slots_##library[] = {FUNCTIONS(OUTRIGGER_SLOT_ADDRESS, library)}; \
    static struct outrigger_library outrigger_##library = {                                        \
        soname, package, outrigger_names_##library, outrigger_slots_##library,                     \
        sizeof outrigger_names_##library / sizeof *outrigger_names_##library, PTHREAD_ONCE_INIT, {0}}; \
    static void outrigger_load_once_##library(void) {                                              \
        outrigger_load(#library, &outrigger_##library);                                            \
    }                                                                                              \
    const char *outrigger_load_##library(void) {                                                   \
        pthread_once(&outrigger_##library.once, outrigger_load_once_##library);                    \
        return outrigger_##library.failure[0] == '\0' ? NULL : outrigger_##library.failure;        \
    }

OUTRIGGER_LIBRARIES(OUTRIGGER_DEFINE_LIBRARY)
