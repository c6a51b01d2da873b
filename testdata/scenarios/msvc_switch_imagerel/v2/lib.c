#include "hp.h"

int classify(int kind, int x); /* classify.S */

/* Unchanged: calls classify for kinds 0 to 6 (5 and 6 take the default case in v1, 6 in v2). */
HP_EXPORT HP_NOINLINE int classify_sum(int x) {
    int s = 0;
    for (int kind = 0; kind < 7; kind++) {
        s = s * 3 + classify(kind, x);
    }
    return s;
}
