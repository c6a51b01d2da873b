#include "hp.h"

/* The change: the literal greeting() returns ("hello, world" in v1, "hello, hotpatch!" in v2).
 * greeting's instructions stay the same, but the literal it refers to has different contents, so greeting
 * counts as changed. text_sum only calls greeting and does not change. */
HP_EXPORT HP_NOINLINE const char *greeting(void) { return "hello, hotpatch!"; }

HP_EXPORT HP_NOINLINE int text_sum(int n)
{
    const char *s = greeting();
    int sum = 0;
    for (int i = 0; i < n && s[i] != 0; i++)
        sum += s[i];
    return sum;
}

HP_EXPORT HP_NOINLINE const char *farewell(void) { return "goodbye"; }
