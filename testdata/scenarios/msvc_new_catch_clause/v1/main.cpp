#include "hp_crt.h"

extern "C" int parse(int c);

extern "C" int main(void) {
    static const int inputs[] = {5, -3, 12};
    for (int c : inputs) {
        printf("parse(%d) = %d\n", c, parse(c));
    }
    fflush(0);
    return 0;
}
