#include "hp_crt.h"

int classify(int kind, int x);
int classify_sum(int x);

int main(void) {
    for (int kind = 0; kind < 7; kind++) {
        printf("classify(%d, 10) = %d\n", kind, classify(kind, 10));
    }
    printf("classify_sum(10) = %d\n", classify_sum(10));
    fflush(0);
    return 0;
}
