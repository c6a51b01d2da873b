#include "hp.h"

/* RAII: every Guard adds its weight to live_guards while it exists; a throw out of checked_sum runs both
 * destructors (a cleanup funclet) before try_sum's catch funclet sees the exception. */
struct Error {
    int code;
};

int live_guards;

struct Guard {
    int weight;
    HP_NOINLINE explicit Guard(int w);
    HP_NOINLINE ~Guard();
};

HP_NOINLINE Guard::Guard(int w) : weight(w) { live_guards += w; }
HP_NOINLINE Guard::~Guard() { live_guards -= weight; }

/* The change: the limit (100 in v1, 50 in v2) and the factor (2 in v1, 3 in v2). */
HP_NOINLINE int checked_sum(int a, int b) {
    Guard outer(1);
    int sum = a + b;
    Guard inner(2);
    if (sum > 100) {
        throw Error{sum};
    }
    return sum * 2 + live_guards;
}

extern "C" HP_EXPORT HP_NOINLINE int try_sum(int a, int b) {
    try {
        return checked_sum(a, b);
    } catch (const Error &e) {
        return -e.code - live_guards;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int guards_alive(void) { return live_guards; }
