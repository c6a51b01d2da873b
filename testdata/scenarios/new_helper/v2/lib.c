#include "hp.h"

/* New in v2: a static (not exported) helper that only the changed compute() calls. */
static HP_NOINLINE int clamp_to_limit(int x) { return x > 50 ? 50 : x; }

HP_EXPORT HP_NOINLINE int compute(int x) { return clamp_to_limit(x) * 2 + 1; }

HP_EXPORT HP_NOINLINE int unrelated(int x) { return x - 5; }
