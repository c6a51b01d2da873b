#include <stdio.h>

int record(int x);
int capacity(void);
int next_generation(int x);

int main(void)
{
    printf("record(6) = %d\n", record(6));
    printf("record(6) = %d\n", record(6));
    printf("capacity() = %d\n", capacity());
    printf("next_generation(2) = %d\n", next_generation(2));
    return 0;
}
