#include "hp_crt.h"

int dispatch_small(int kind, int x);
int dispatch_large(int kind, int x);
int dispatch_stable(int kind, int x);

int main(void) {
    for (int kind = 0; kind < 13; kind++) {
        printf("kind %d: small %d, large %d, stable %d\n", kind, dispatch_small(kind, 20), dispatch_large(kind, 20),
               dispatch_stable(kind, 20));
    }
    fflush(0);
    return 0;
}
