#include "hp_crt.h"

extern "C" int compute(int x);
extern "C" int ratio_percent(int x);
extern "C" int checked(int x);

extern "C" int main(void) {
    static const int inputs[] = {5, -4, 2000};
    for (int x : inputs) {
        printf("compute(%d) = %d, checked(%d) = %d, ratio_percent(%d) = %d\n", x, compute(x), x, checked(x), x,
               ratio_percent(x));
    }
    fflush(0);
    return 0;
}
