#include "hp.h"

/* pipeline::check throws; the exception passes through the changed pipeline::transform (whose Trace object
 * is destroyed by a cleanup funclet on the way) to the catch in the unchanged pipeline::guarded. */
namespace pipeline {

struct Rejected {
    int value;
};

int traces_left;

struct Trace {
    HP_NOINLINE Trace();
    HP_NOINLINE ~Trace();
};

HP_NOINLINE Trace::Trace() {}
HP_NOINLINE Trace::~Trace() { ++traces_left; }

HP_NOINLINE int check(int x) {
    if (x > 50) {
        throw Rejected{x};
    }
    return x;
}

/* The change: x * 2 in v1, x * 3 in v2. */
HP_NOINLINE int transform(int x) {
    Trace t;
    return check(x * 2) + 1;
}

HP_NOINLINE int guarded(int x) {
    try {
        return transform(x);
    } catch (const Rejected &r) {
        return -r.value;
    }
}

} // namespace pipeline

extern "C" HP_EXPORT HP_NOINLINE int run(int x) { return pipeline::guarded(x); }
extern "C" HP_EXPORT HP_NOINLINE int traces(void) { return pipeline::traces_left; }
