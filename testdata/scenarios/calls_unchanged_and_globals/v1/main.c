#include <stdio.h>

int weigh(int x);
int bump(int x);
int process(int x);

int main(void)
{
    printf("weigh(3) = %d\n", weigh(3));
    printf("process(2) = %d\n", process(2));
    printf("process(5) = %d\n", process(5));
    printf("bump(1) = %d\n", bump(1));
    return 0;
}
