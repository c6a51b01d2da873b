#include "hp.h"

int limit = 100;

/* The change: v2 clamps through the new static function clamp_to_limit. */
HP_EXPORT HP_NOINLINE int compute(int x) { return x * 3; }

HP_EXPORT HP_NOINLINE int twice(int x) { return compute(x) + compute(x + 1); }
