#include "hp.h"

/* The change: v2 no longer calls legacy_adjust. */
HP_EXPORT HP_NOINLINE int adjust(int x) { return x * 2 + 1; }

HP_EXPORT HP_NOINLINE int keep(int x) { return x + 40; }
