#include <stdio.h>

int compute(int x);
int unrelated(int x);

int main(void)
{
    printf("compute(10) = %d\n", compute(10));
    printf("compute(80) = %d\n", compute(80));
    printf("unrelated(8) = %d\n", unrelated(8));
    return 0;
}
