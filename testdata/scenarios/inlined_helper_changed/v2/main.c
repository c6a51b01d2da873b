#include <stdio.h>

int user_a(int x);
int user_b(int x);
int bystander(int x);

int main(void)
{
    printf("user_a(3) = %d\n", user_a(3));
    printf("user_b(3) = %d\n", user_b(3));
    printf("bystander(3) = %d\n", bystander(3));
    return 0;
}
