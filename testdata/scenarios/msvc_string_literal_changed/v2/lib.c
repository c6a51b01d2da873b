#include "hp.h"

/* The change: the literal ("hello, world" in v1, "hello, patched world" in v2); greeting's code is the same. */
HP_EXPORT HP_NOINLINE const char *greeting(void) { return "hello, patched world"; }

/* Reads the text through a pointer it is passed, so it cannot fold the literal in. */
HP_EXPORT HP_NOINLINE int text_sum(const char *text) {
    int sum = 0;
    for (int i = 0; text[i]; i++) {
        sum = sum * 31 + text[i];
    }
    return sum;
}

HP_EXPORT HP_NOINLINE int greeting_sum(int x) { return text_sum(greeting()) + x; }
