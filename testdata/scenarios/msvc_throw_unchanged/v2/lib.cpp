#include "hp.h"

/* require_positive throws and does not change, nor does ratio_percent, which reads a double constant; compute
 * changes and, in v2, also throws a new exception type, so the throw information and the constants that the
 * unchanged functions refer to move in .rdata. */
struct Invalid {
    int value;
};
struct TooLarge {
    int value;
    int limit;
};

HP_NOINLINE int require_positive(int x) {
    if (x <= 0) {
        throw Invalid{x};
    }
    return x;
}

/* The change: v2 adds 9 instead of 7 and throws TooLarge above 1000, with a limit computed through a new double
 * constant (1.5), which clang emits before ratio_percent's constants, so those move in .rdata. */
extern "C" HP_EXPORT HP_NOINLINE int compute(int x) {
    try {
        int r = require_positive(x) + 9;
        if (r > 1000) {
            throw TooLarge{r, (int)(x * 1.5)};
        }
        return r;
    } catch (const Invalid &e) {
        return e.value - 1;
    } catch (const TooLarge &t) {
        return t.limit;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int ratio_percent(int x) { return (int)(x * 0.375 * 100.0); }

extern "C" HP_EXPORT HP_NOINLINE int checked(int x) {
    try {
        return require_positive(x) * 2;
    } catch (const Invalid &) {
        return -2;
    }
}
