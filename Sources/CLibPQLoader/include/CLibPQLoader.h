// The definitions behind CLibPQ's libpq functions and outrigger_libpq_load (loader.c); this
// target has nothing to import, PostgresClient depends on it to link them.
