#include <stdio.h>

int alpha(int x);
int beta(int x);
int gamma_sum(int x);

int main(void)
{
    printf("alpha(3) = %d\n", alpha(3));
    printf("beta(5) = %d\n", beta(5));
    printf("gamma_sum(4) = %d\n", gamma_sum(4));
    return 0;
}
