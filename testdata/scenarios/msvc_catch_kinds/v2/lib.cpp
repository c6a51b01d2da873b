#include "hp.h"

/* One thrower and four catchers: by reference (and modifying the caught object), by base class, catch(...),
 * and a rethrow caught one level up. Only the thrower changes; every catcher keeps its code and its catch
 * funclets, while the exception objects' throw information moves. */
struct Base {
    int code;
};
struct Derived : Base {
    int extra;
};
struct Other {
    int value;
};

int rethrows;

/* The change: v1 throws Base for x & 3 == 1 and Other{x} for 3; v2 throws Derived{x, 3} and Other{2 * x}. */
HP_NOINLINE void raise_for(int x) {
    switch (x & 3) {
    case 0:
        return;
    case 1:
        throw Derived{{x}, 3};
    case 2:
        throw Derived{{x}, 7};
    default:
        throw Other{2 * x};
    }
}

extern "C" HP_EXPORT HP_NOINLINE int by_reference(int x) {
    try {
        raise_for(x);
        return 0;
    } catch (Derived &d) {
        d.extra++;
        return d.extra * 100 + d.code;
    } catch (...) {
        return -1;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int by_base(int x) {
    try {
        raise_for(x);
        return 0;
    } catch (const Base &b) {
        return b.code + 1000;
    } catch (...) {
        return -2;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int catch_all(int x) {
    try {
        raise_for(x);
        return 1;
    } catch (...) {
        return -3;
    }
}

HP_NOINLINE int rethrow_counted(int x) {
    try {
        raise_for(x);
        return 2;
    } catch (...) {
        ++rethrows;
        throw;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int outer(int x) {
    try {
        return rethrow_counted(x);
    } catch (const Other &o) {
        return o.value * -10;
    } catch (const Base &b) {
        return b.code * 10;
    }
}

extern "C" HP_EXPORT HP_NOINLINE int rethrow_count(void) { return rethrows; }
