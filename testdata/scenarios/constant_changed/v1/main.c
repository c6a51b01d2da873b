#include <stdio.h>

int add_offset(int x);
int scale(int x);
int combine(int a, int b);

int main(void)
{
    printf("add_offset(1) = %d\n", add_offset(1));
    printf("scale(5) = %d\n", scale(5));
    printf("combine(2, 3) = %d\n", combine(2, 3));
    return 0;
}
