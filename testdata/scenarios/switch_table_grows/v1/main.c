#include <stdio.h>

int dispatch(int op, int x);
int dispatch_sum(int x);

int main(void)
{
    for (int op = 0; op < 10; op++)
        printf("dispatch(%d, 21) = %d\n", op, dispatch(op, 21));
    printf("dispatch_sum(21) = %d\n", dispatch_sum(21));
    return 0;
}
