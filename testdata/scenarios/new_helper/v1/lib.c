#include "hp.h"

HP_EXPORT HP_NOINLINE int compute(int x) { return x * 2 + 1; }

HP_EXPORT HP_NOINLINE int unrelated(int x) { return x - 5; }
