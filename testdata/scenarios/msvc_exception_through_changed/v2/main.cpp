#include "hp_crt.h"

extern "C" int run(int x);
extern "C" int traces(void);

extern "C" int main(void) {
    static const int inputs[] = {10, 20, 40, 60};
    for (int x : inputs) {
        printf("run(%d) = %d\n", x, run(x));
    }
    printf("traces() = %d\n", traces());
    fflush(0);
    return 0;
}
