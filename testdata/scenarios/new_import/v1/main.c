#include <stdio.h>

int label_length(int extra);
int unrelated(int x);

int main(void)
{
    printf("label_length(2) = %d\n", label_length(2));
    printf("unrelated(3) = %d\n", unrelated(3));
    return 0;
}
