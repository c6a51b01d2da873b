#include "hp.h"

int threshold = 10; /* the change: initial value 10 in v1, 20 in v2 (initialised data change: refused) */
int limit = 99;

HP_EXPORT HP_NOINLINE int above_threshold(int x) { return x > threshold; }

HP_EXPORT HP_NOINLINE int set_threshold(int x)
{
    int old = threshold;
    threshold = x;
    return old;
}

HP_EXPORT HP_NOINLINE int get_limit(void) { return limit; }
