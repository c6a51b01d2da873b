#include "hp.h"

int limit = 100;

static HP_NOINLINE int clamp_to_limit(int x) { return x > limit ? limit : x; }

/* The change: v2 clamps through the new static function clamp_to_limit. */
HP_EXPORT HP_NOINLINE int compute(int x) { return clamp_to_limit(x * 3); }

HP_EXPORT HP_NOINLINE int twice(int x) { return compute(x) + compute(x + 1); }
