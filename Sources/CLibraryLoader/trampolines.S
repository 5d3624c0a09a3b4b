// One function per entry of libraries.h, named as the library's own, that jumps to the address
// in its slot (loader.c): the library's function once loaded. A jump leaves the arguments, the
// return address and (for variadic functions) the register count as the caller set them, so
// one trampoline serves any signature; the C headers still type-check every call.
//
// Hidden: the executable never exports them, so a loaded library's calls to its own functions
// stay inside it.
#include "libraries.h"

#if defined(__x86_64__)
#define OUTRIGGER_TRAMPOLINE(library, symbol)                                                      \
    .globl symbol; .hidden symbol; .type symbol, @function; .balign 16;                            \
    symbol: jmp *outrigger_slot_##symbol(%rip); .size symbol, . - symbol;
#elif defined(__aarch64__)
#define OUTRIGGER_TRAMPOLINE(library, symbol)                                                      \
    .globl symbol; .hidden symbol; .type symbol, %function; .balign 16;                            \
    symbol: adrp x16, outrigger_slot_##symbol;                                                     \
    ldr x16, [x16, :lo12:outrigger_slot_##symbol]; br x16; .size symbol, . - symbol;
#else
#error "trampolines.S knows x86_64 and aarch64"
#endif

#define OUTRIGGER_LIBRARY_TRAMPOLINES(library, soname, package, FUNCTIONS)                         \
    FUNCTIONS(OUTRIGGER_TRAMPOLINE, library)

    .text
OUTRIGGER_LIBRARIES(OUTRIGGER_LIBRARY_TRAMPOLINES)

    .section .note.GNU-stack, "", %progbits
