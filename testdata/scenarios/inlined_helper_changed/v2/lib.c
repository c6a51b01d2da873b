#include "hp.h"

/* The change: the helper's constant (1 in v1, 2 in v2). The helper is small and static, so the compiler
 * inlines it into both callers and keeps no out-of-line copy: the callers are what changes. */
static int mix(int x) { return x * 5 + 2; }

HP_EXPORT HP_NOINLINE int user_a(int x) { return mix(x) + 1; }

HP_EXPORT HP_NOINLINE int user_b(int x) { return mix(x) * mix(x + 1); }

HP_EXPORT HP_NOINLINE int bystander(int x) { return x - 1; }
