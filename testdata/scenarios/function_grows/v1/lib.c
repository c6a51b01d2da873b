#include "hp.h"

int grow_calls;

HP_EXPORT HP_NOINLINE int before(int x) { return x + 1; }

/* The change: v2 adds a loop, so grower's code grows and every function linked after it moves. */
HP_EXPORT HP_NOINLINE int grower(int x)
{
    grow_calls++;
    return x * 3;
}

HP_EXPORT HP_NOINLINE int after_a(int x) { return before(x) * 2; }

HP_EXPORT HP_NOINLINE int after_b(int x) { return grower(x) - after_a(x); }

HP_EXPORT HP_NOINLINE int after_c(int x) { return grow_calls + x; }
