#include "hp_crt.h"

int protected_call(int x);
int with_finally(int x);

int main(void) {
    static const int inputs[] = {5, 20};
    for (int i = 0; i < 2; i++) {
        int x = inputs[i];
        printf("protected_call(%d) = %d\n", x, protected_call(x));
        printf("with_finally(%d) = %d\n", x, with_finally(x));
    }
    fflush(0);
    return 0;
}
