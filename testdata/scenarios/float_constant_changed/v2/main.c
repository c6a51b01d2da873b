#include <stdio.h>

int apply_rate(int x);
int apply_discount(int x);

int main(void)
{
    printf("apply_rate(100) = %d\n", apply_rate(100));
    printf("apply_rate(7) = %d\n", apply_rate(7));
    printf("apply_discount(100) = %d\n", apply_discount(100));
    return 0;
}
