#include "hp_crt.h"

extern "C" int by_reference(int x);
extern "C" int by_base(int x);
extern "C" int catch_all(int x);
extern "C" int outer(int x);
extern "C" int rethrow_count(void);

extern "C" int main(void) {
    for (int x = 4; x < 8; x++) {
        printf("x = %d: by_reference %d, by_base %d, catch_all %d, outer %d\n", x, by_reference(x), by_base(x),
               catch_all(x), outer(x));
    }
    printf("rethrow_count() = %d\n", rethrow_count());
    fflush(0);
    return 0;
}
