#include "hp.h"

typedef int (*operation)(int);

/* The change: triple's result (x * 3 in v1, x * 3 + 1 in v2). Its address is taken twice: it is stored in the
 * initialised table `operations` (so the image holds its address as data, with a base relocation) and
 * passed as a callback to apply_twice. Callers through these pointers reach the old entry point. */
HP_EXPORT HP_NOINLINE int triple(int x) { return x * 3; }

HP_EXPORT HP_NOINLINE int negate(int x) { return -x; }

operation const operations[2] = {triple, negate};

HP_EXPORT HP_NOINLINE int apply_twice(operation f, int x) { return f(f(x)); }

HP_EXPORT HP_NOINLINE int run_operation(int index, int x) { return operations[index & 1](x); }

HP_EXPORT HP_NOINLINE int triple_twice(int x) { return apply_twice(triple, x); }
