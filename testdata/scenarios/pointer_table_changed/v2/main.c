#include <stdio.h>

int apply_op(int op, int x);

int main(void)
{
    for (int op = 0; op < 4; op++)
        printf("apply_op(%d, 5) = %d\n", op, apply_op(op, 5));
    return 0;
}
