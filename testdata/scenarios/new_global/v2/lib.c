#include "hp.h"

int scale_factor = 3;
int bonus = 7; /* new in v2: an initialised global that only the changed total() reads and writes */

HP_EXPORT HP_NOINLINE int scaled(int x) { return x * scale_factor; }

HP_EXPORT HP_NOINLINE int total(int x)
{
    bonus += x;
    return x + 10 + bonus;
}
