#include "hp_crt.h"

extern "C" int try_sum(int a, int b);
extern "C" int guards_alive(void);

extern "C" int main(void) {
    static const int pairs[][2] = {{10, 20}, {40, 30}, {60, 70}};
    for (const auto &p : pairs) {
        printf("try_sum(%d, %d) = %d\n", p[0], p[1], try_sum(p[0], p[1]));
    }
    printf("guards_alive() = %d\n", guards_alive());
    fflush(0);
    return 0;
}
