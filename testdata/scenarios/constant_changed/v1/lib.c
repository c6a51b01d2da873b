#include "hp.h"

int base_offset = 100;

HP_EXPORT HP_NOINLINE int add_offset(int x) { return x + base_offset; }

/* The change: the multiplier is 7 in v1 and 9 in v2. */
HP_EXPORT HP_NOINLINE int scale(int x) { return x * 7 + 3; }

HP_EXPORT HP_NOINLINE int combine(int a, int b) { return scale(a) + add_offset(b); }
