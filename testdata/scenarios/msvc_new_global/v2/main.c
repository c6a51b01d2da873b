#include "hp_crt.h"

int total(int x);
int halve(int x);

int main(void) {
    int a = total(1);
    int b = total(2);
    printf("total(1) = %d, total(2) = %d, halve(9) = %d\n", a, b, halve(9));
    fflush(0);
    return 0;
}
