#include "hp.h"

/* The change: v2 calls kernel32's lstrlenA, which v1 does not import. */
HP_EXPORT HP_NOINLINE int label_length(int extra) { return 5 + extra; }

HP_EXPORT HP_NOINLINE int unrelated(int x) { return x * 11; }
