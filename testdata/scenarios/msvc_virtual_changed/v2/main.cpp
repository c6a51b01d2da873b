#include "hp_crt.h"

extern "C" int shape_area(int which, int side);
extern "C" int shape_corners(int which);

extern "C" int main(void) {
    for (int which = 0; which < 2; which++) {
        printf("shape %d: area(10) = %d, corners = %d\n", which, shape_area(which, 10), shape_corners(which));
    }
    fflush(0);
    return 0;
}
