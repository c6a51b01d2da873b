#include "hp.h"

namespace pipeline {

struct Failure {
    int code;
};

/* Unchanged: throws for large values. */
HP_NOINLINE int check(int x)
{
    if (x > 100)
        throw Failure{x};
    return x;
}

/* The change: the factor (2 in v1, 3 in v2). An exception thrown by check passes through transform, which has
 * no handler of its own, to the handler in guarded. */
HP_NOINLINE int transform(int x) { return check(x * 3) + 1; }

/* Unchanged: catches what transform lets through. */
HP_NOINLINE int guarded(int x)
{
    try {
        return transform(x);
    } catch (const Failure &f) {
        return -f.code;
    }
}

} // namespace pipeline
