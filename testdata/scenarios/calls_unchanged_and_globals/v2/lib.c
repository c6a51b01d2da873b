#include "hp.h"

int total = 10;                      /* initialised, read and written by the changed function */
int hits;                            /* zero-initialised (.bss), read by the changed function */
int weights[4] = {2, 3, 5, 7};       /* initialised array, read by an unchanged callee */

HP_EXPORT HP_NOINLINE int weigh(int x) { return x * weights[x & 3]; }

HP_EXPORT HP_NOINLINE int bump(int x)
{
    hits++;
    return x + 1;
}

/* The change: v2 uses a different formula; it still calls weigh and bump and uses total and hits. */
HP_EXPORT HP_NOINLINE int process(int x)
{
    total -= weigh(x + 1);
    return bump(x) * 2 + total - hits;
}
