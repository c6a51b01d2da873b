#include "hp_crt.h"

int compute(int x);
int twice(int x);

int main(void) {
    printf("compute(10) = %d, compute(50) = %d, twice(40) = %d\n", compute(10), compute(50), twice(40));
    fflush(0);
    return 0;
}
