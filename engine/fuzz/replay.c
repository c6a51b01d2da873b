/* Replays files through a libFuzzer harness without libFuzzer (for the normal tests): replay FILE... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { fprintf(stderr, "replay: cannot read %s\n", argv[i]); return 1; }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *p = malloc(n > 0 ? (size_t) n : 1);
        if (!p || fread(p, 1, (size_t) n, f) != (size_t) n) { fprintf(stderr, "replay: short read %s\n", argv[i]); return 1; }
        fclose(f);
        LLVMFuzzerTestOneInput(p, (size_t) n);
        free(p);
    }
    printf("replayed %d inputs\n", argc - 1);
    return 0;
}
