#include "hp.h"

int alpha(int x);

const int beta_table[4] = {10, 20, 30, 40};

HP_EXPORT HP_NOINLINE int beta(int x) { return alpha(x) + beta_table[x & 3]; }
