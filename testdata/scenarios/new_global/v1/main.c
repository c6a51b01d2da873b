#include <stdio.h>

int scaled(int x);
int total(int x);

int main(void)
{
    printf("scaled(4) = %d\n", scaled(4));
    printf("total(5) = %d\n", total(5));
    printf("total(5) = %d\n", total(5));
    return 0;
}
