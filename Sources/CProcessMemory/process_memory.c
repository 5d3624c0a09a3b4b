#if defined(__linux__)
#define _GNU_SOURCE
#include "CProcessMemory.h"

#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

// A PT_LOAD segment without PF_W holds only what the loader maps from the file unchanged: no
// page of it was ever written, so dropping its pages loses nothing.
typedef void (*segment_visitor)(uintptr_t start, uintptr_t end, void *context);

struct visit {
    segment_visitor visitor;
    void *context;
};

static int visit_executable(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct visit *visit = data;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD || (header->p_flags & PF_W) || header->p_memsz == 0) continue;
        uintptr_t start = (info->dlpi_addr + header->p_vaddr) & ~(page - 1);
        uintptr_t end = (info->dlpi_addr + header->p_vaddr + header->p_memsz + page - 1) & ~(page - 1);
        visit->visitor(start, end, visit->context);
    }
    return 1;  // The executable is the first object reported: stop there.
}

static void each_readonly_segment(segment_visitor visitor, void *context) {
    struct visit visit = {visitor, context};
    dl_iterate_phdr(visit_executable, &visit);
}

struct pagemap_count {
    int fd;
    size_t bytes;
};

// /proc/self/pagemap has one 64-bit entry per virtual page; bit 63 says the page is mapped.
static void count_present(uintptr_t start, uintptr_t end, void *context) {
    struct pagemap_count *count = context;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uint64_t entries[512];
    for (uintptr_t address = start; address < end;) {
        size_t pages = (end - address) / page;
        if (pages > 512) pages = 512;
        off_t offset = (off_t)(address / page * sizeof(uint64_t));
        ssize_t read = pread(count->fd, entries, pages * sizeof(uint64_t), offset);
        if (read <= 0) return;
        size_t got = (size_t)read / sizeof(uint64_t);
        for (size_t entry = 0; entry < got; entry++) {
            if (entries[entry] >> 63) count->bytes += page;
        }
        address += got * page;
    }
}

size_t outrigger_resident_readonly_bytes(void) {
    struct pagemap_count count = {open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), 0};
    if (count.fd < 0) return 0;
    each_readonly_segment(count_present, &count);
    close(count.fd);
    return count.bytes;
}

static void unmap_pages(uintptr_t start, uintptr_t end, void *context) {
    (void)context;
    madvise((void *)start, end - start, MADV_DONTNEED);
}

size_t outrigger_release_idle_pages(int measure) {
    size_t before = measure ? outrigger_resident_readonly_bytes() : 0;
    each_readonly_segment(unmap_pages, NULL);
    malloc_trim(0);
    return before;
}

#else
#include "CProcessMemory.h"

size_t outrigger_resident_readonly_bytes(void) { return 0; }
size_t outrigger_release_idle_pages(int measure) {
    (void)measure;
    return 0;
}
#endif
