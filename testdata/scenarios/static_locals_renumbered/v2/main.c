#include <stdio.h>

int apples(int x);
int pears(int x);

int main(void)
{
    printf("apples(1) = %d\n", apples(1));
    printf("pears(2) = %d\n", pears(2));
    printf("apples(3) = %d\n", apples(3));
    printf("pears(4) = %d\n", pears(4));
    return 0;
}
