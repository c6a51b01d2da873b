#include "hp.h"

/* Each function keeps a running total in a static local; gcc numbers them total.0, total.1, ... from the last
 * one in the file, so a new function with a static local of the same name at the end renumbers the others. */
int plums(int x);

HP_EXPORT HP_NOINLINE int apples(int x) { static int total = 100; total += x; return total; }

HP_EXPORT HP_NOINLINE int pears(int x) { static int total = 200; total += x * 2 + plums(0) * 0; return total; }

HP_NOINLINE int plums(int x) { static int total = 300; total += x * 3; return total; }
