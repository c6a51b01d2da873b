#include "hp.h"

int base_total = 40;

/* The change: v2 adds the new initialised global bonus. */
HP_EXPORT HP_NOINLINE int total(int x) { return base_total + x; }

HP_EXPORT HP_NOINLINE int halve(int x) { return x / 2; }
