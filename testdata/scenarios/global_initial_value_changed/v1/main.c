#include <stdio.h>

int above_threshold(int x);
int set_threshold(int x);
int get_limit(void);

int main(void)
{
    printf("above_threshold(15) = %d\n", above_threshold(15));
    printf("set_threshold(5) = %d\n", set_threshold(5));
    printf("above_threshold(15) = %d\n", above_threshold(15));
    printf("get_limit() = %d\n", get_limit());
    return 0;
}
