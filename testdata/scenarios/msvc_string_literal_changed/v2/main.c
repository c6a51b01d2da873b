#include "hp_crt.h"

const char *greeting(void);
int greeting_sum(int x);

int main(void) {
    printf("greeting() = %s, greeting_sum(0) = %d\n", greeting(), greeting_sum(0));
    fflush(0);
    return 0;
}
