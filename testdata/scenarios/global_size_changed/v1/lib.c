#include "hp.h"

#define HISTORY_SIZE 4 /* v2: 8 */

int history[HISTORY_SIZE]; /* the change: the array grows to 8 elements in v2 (data layout change: refused) */
int generation = 1;

HP_EXPORT HP_NOINLINE int record(int x)
{
    int slot = x % HISTORY_SIZE;
    history[slot] += x;
    return history[slot] + slot;
}

HP_EXPORT HP_NOINLINE int capacity(void) { return (int)(sizeof history / sizeof history[0]); }

HP_EXPORT HP_NOINLINE int next_generation(int x) { return generation += x; }
