// What a long-running process can give back when it falls idle (docs/development.md,
// Footprint). Linux only; elsewhere both functions do nothing and return 0.
#ifndef OUTRIGGER_CPROCESSMEMORY_H
#define OUTRIGGER_CPROCESSMEMORY_H

#include <stddef.h>

// Bytes of the executable's read-only segments (code, constants, unwind tables) that are mapped
// into this process now, read from /proc/self/pagemap; 0 if that cannot be read.
size_t outrigger_resident_readonly_bytes(void);

// Unmaps the executable's read-only segments from this process (madvise MADV_DONTNEED): the
// pages stay in the page cache and the next access to one maps it again (a minor fault). The
// writable segments, including the relocated read-only data (RELRO), are left alone. Then
// returns freed heap to the kernel (malloc_trim). With `measure` nonzero, first reads how many
// read-only bytes were mapped (a scan of /proc/self/pagemap) and returns that; otherwise 0.
size_t outrigger_release_idle_pages(int measure);

#endif
