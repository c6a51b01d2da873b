#include <stdio.h>

int step(int x);
int square(int x);

int main(void)
{
    printf("step(3) = %d\n", step(3));
    printf("square(7) = %d\n", square(7));
    return 0;
}
