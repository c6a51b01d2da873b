#include "hp.h"

int alpha(int x);
int beta(int x);

int gamma_calls;

HP_EXPORT HP_NOINLINE int gamma_sum(int x)
{
    gamma_calls++;
    return alpha(x) + beta(x) + gamma_calls;
}
