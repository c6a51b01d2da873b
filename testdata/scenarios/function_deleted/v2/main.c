#include <stdio.h>

int adjust(int x);
int keep(int x);

int main(void)
{
    printf("adjust(10) = %d\n", adjust(10));
    printf("keep(2) = %d\n", keep(2));
    return 0;
}
