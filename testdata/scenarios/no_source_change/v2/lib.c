#include "hp.h"

/* Identical in v1 and v2. v2 differs only by build noise: build.sh runs tools/restamp.py with the TimeDateStamp
 * in the version's `timestamp` file, which also recomputes the PE CheckSum. */
int counter = 1;

HP_EXPORT HP_NOINLINE int step(int x)
{
    counter += x;
    return counter * 2;
}

HP_EXPORT HP_NOINLINE int square(int x) { return x * x; }
