#include "hp_crt.h"

extern "C" int describe(int x);
extern "C" int adjust(int x);
extern "C" int apply_rule(int which, int x);
extern "C" int name_length(int which);

extern "C" int main(void) {
    printf("describe(1) = %d, adjust(8) = %d\n", describe(1), adjust(8));
    for (int which = 0; which < 2; which++) {
        printf("rule %d: apply(10) = %d, name_length = %d\n", which, apply_rule(which, 10), name_length(which));
    }
    fflush(0);
    return 0;
}
