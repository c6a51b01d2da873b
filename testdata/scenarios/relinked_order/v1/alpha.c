#include "hp.h"

int alpha_state = 2;

HP_EXPORT HP_NOINLINE int alpha(int x) { return x * alpha_state + 1; }
