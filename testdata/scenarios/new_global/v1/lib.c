#include "hp.h"

int scale_factor = 3;

HP_EXPORT HP_NOINLINE int scaled(int x) { return x * scale_factor; }

HP_EXPORT HP_NOINLINE int total(int x) { return x + 10; }
