#include "hp.h"
#include "hp_seh.h"

/* Structured exception handling: raise_if raises a software exception through kernel32; protected_call
 * handles it in __except with a filter that looks at the exception code; with_finally runs its __finally
 * block on the normal path and while the exception unwinds through it. clang puts the filter and the
 * __finally block into compiler-generated functions (?filt$0@0@protected_call@@, ?fin$0@0@with_finally@@)
 * that belong to their parents. */
#define CODE_ACCEPTED 0xE0000001u

int finally_runs;

HP_NOINLINE void raise_if(int x) {
    if (x > 10) {
        RaiseException(CODE_ACCEPTED, 0, 0, 0);
    }
}

static int accept(unsigned long code) { return code == CODE_ACCEPTED ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH; }

/* The change: the handler returns -x in v1, -2 * x in v2. */
HP_EXPORT HP_NOINLINE int protected_call(int x) {
    __try {
        raise_if(x);
        return x + 1;
    } __except (accept(_exception_code())) {
        return -2 * x;
    }
}

HP_NOINLINE int finally_inner(int x) {
    int r = 0;
    __try {
        raise_if(x);
        r = x * 3;
    } __finally {
        finally_runs++;
    }
    return r + finally_runs;
}

HP_EXPORT HP_NOINLINE int with_finally(int x) {
    __try {
        return finally_inner(x);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return -1000 - finally_runs;
    }
}
