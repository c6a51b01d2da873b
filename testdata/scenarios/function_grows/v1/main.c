#include <stdio.h>

int before(int x);
int grower(int x);
int after_a(int x);
int after_b(int x);
int after_c(int x);

int main(void)
{
    printf("before(1) = %d\n", before(1));
    printf("grower(5) = %d\n", grower(5));
    printf("after_a(4) = %d\n", after_a(4));
    printf("after_b(6) = %d\n", after_b(6));
    printf("after_c(10) = %d\n", after_c(10));
    return 0;
}
