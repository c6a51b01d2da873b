#include "hp.h"

/* Deleted in v2 (an exported function; the base keeps its body, the patch simply stops calling it). */
HP_EXPORT HP_NOINLINE int legacy_adjust(int x) { return x - 4; }

/* The change: v2 no longer calls legacy_adjust. */
HP_EXPORT HP_NOINLINE int adjust(int x) { return legacy_adjust(x) * 2; }

HP_EXPORT HP_NOINLINE int keep(int x) { return x + 40; }
