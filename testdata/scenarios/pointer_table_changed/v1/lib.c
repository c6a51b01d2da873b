#include "hp.h"

int calls = 0;

HP_NOINLINE int add_one(int x) { return x + 1; }

HP_NOINLINE int twice(int x) { return x * 2; }

/* v1 picks the operation with a branch. */
HP_EXPORT HP_NOINLINE int apply_op(int op, int x)
{
    calls += 1;
    if (op % 3 == 0)
        return add_one(x);
    return twice(x);
}
