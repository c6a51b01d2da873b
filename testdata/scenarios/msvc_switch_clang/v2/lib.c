#include "hp.h"

/* Dense switches that clang compiles to jump tables in its own shapes: on x64 32-bit offsets relative to the
 * table, placed in .text after the function; on ARM64 offsets from an adr label in .rdata, one byte each
 * when every case is near (dispatch_small, dispatch_stable) and a halfword each when the cases span more
 * than 1 KiB (dispatch_large); on x86 absolute addresses in .rdata. */
volatile int sink[8];

/* The change: v2 has a case 6. */
HP_EXPORT HP_NOINLINE int dispatch_small(int kind, int x) {
    switch (kind) {
    case 0: return x + 5;
    case 1: return x * 5;
    case 2: return x ^ 0x55;
    case 3: return x * 8 + 13;
    case 4: return x >> 3;
    case 5: return 21 - x * 21;
    case 6: return x * 3 - 2;
    default: return -1;
    }
}

/* Each case stores eight derived values (the divisions expand into several instructions), so the cases
 * span far more than the 1 KiB a byte table reaches on ARM64. */
#define BODY(k)                                                                                                \
    sink[0] = x * (k);                                                                                         \
    sink[1] = x + (k) * 3;                                                                                     \
    sink[2] = x ^ ((k) * 5);                                                                                   \
    sink[3] = x - (k) * 7;                                                                                     \
    sink[4] = x * x + (k);                                                                                     \
    sink[5] = (x << ((k) & 7)) + (k);                                                                          \
    sink[6] = x / ((k) + 2);                                                                                   \
    sink[7] = x % ((k) + 3);                                                                                   \
    return sink[(k) & 7] + (k)

/* The change: case 9 (BODY(9) in v1, BODY(19) in v2). */
HP_EXPORT HP_NOINLINE int dispatch_large(int kind, int x) {
    switch (kind) {
    case 0: BODY(1);
    case 1: BODY(2);
    case 2: BODY(3);
    case 3: BODY(4);
    case 4: BODY(5);
    case 5: BODY(6);
    case 6: BODY(7);
    case 7: BODY(8);
    case 8: BODY(10);
    case 9: BODY(19);
    case 10: BODY(11);
    case 11: BODY(12);
    default: return -1;
    }
}

/* Unchanged, after both changed functions, so everything it refers to moves. */
HP_EXPORT HP_NOINLINE int dispatch_stable(int kind, int x) {
    switch (kind) {
    case 0: return x - 3;
    case 1: return x * 7;
    case 2: return x | 0x30;
    case 3: return x * 6 - 1;
    case 4: return x >> 1;
    default: return 0;
    }
}
