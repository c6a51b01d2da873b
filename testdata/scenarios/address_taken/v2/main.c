#include <stdio.h>

int triple(int x);
int negate(int x);
int run_operation(int index, int x);
int triple_twice(int x);

int main(void)
{
    printf("triple(4) = %d\n", triple(4));
    printf("run_operation(0, 5) = %d\n", run_operation(0, 5));
    printf("run_operation(1, 5) = %d\n", run_operation(1, 5));
    printf("triple_twice(2) = %d\n", triple_twice(2));
    return 0;
}
