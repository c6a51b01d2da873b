#include "hp.h"

int weight = 5;

/* A dense switch with a different computation per case, so gcc and clang emit a jump table (a table of
 * constants would become a lookup array instead). The change: v2 adds case 8. */
HP_EXPORT HP_NOINLINE int dispatch(int op, int x)
{
    switch (op) {
    case 0: return x + weight;
    case 1: return x * weight;
    case 2: return x - weight * 3;
    case 3: return (x << 3) ^ weight;
    case 4: return x / (weight + 1);
    case 5: return weight - x * x;
    case 6: return (x & 0xF0) | weight;
    case 7: return x % 7 + weight;
    default: return -1;
    }
}

HP_EXPORT HP_NOINLINE int dispatch_sum(int x)
{
    int sum = 0;
    for (int op = 0; op < 10; op++)
        sum += dispatch(op, x);
    return sum;
}
