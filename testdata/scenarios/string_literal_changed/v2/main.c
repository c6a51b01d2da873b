#include <stdio.h>

const char *greeting(void);
int text_sum(int n);
const char *farewell(void);

int main(void)
{
    printf("greeting() = %s\n", greeting());
    printf("text_sum(100) = %d\n", text_sum(100));
    printf("farewell() = %s\n", farewell());
    return 0;
}
