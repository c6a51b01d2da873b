#include "hp.h"

/* The change: the double constant (1.1 in v1, 1.3 in v2; neither fits an ARM64 fmov immediate, so every
 * architecture loads it from read-only data). */
HP_EXPORT HP_NOINLINE int apply_rate(int x) { return (int)(x * 1.3); }

/* Unchanged, uses a float constant (exact in binary, so x87 and SSE agree). */
HP_EXPORT HP_NOINLINE int apply_discount(int x) { return (int)(x * 0.75f); }
