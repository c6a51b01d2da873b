/*
 * libFuzzer harness: the hot-patch tables reader and, for tables it accepts, every computation that reads them
 * (fixups into a bounded buffer, trampolines and reach at two placements). Input: bytes starting at HPATCH_HEADER.
 */
#include "../core/hp_core.h"

#include <stdlib.h>
#include <string.h>

void *hp_alloc(size_t size) { return malloc(size); }
void hp_free(void *p) { free(p); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 24)) return 0;
    /* a private copy, exactly as long as the input, so reads past it are caught */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    hp_tables t;
    hp_error err;
    if (hp_tables_parse(&t, copy, (uint32_t) size, &err) == HP_OK) {
        static uint8_t mem[0x4000];
        uint64_t base_load = t.machine == HP_MACHINE_I386 ? 0x10000000ull : 0x140000000ull;
        uint64_t patch_load = base_load + 0x100000;
        for (uint32_t j = 0; j < t.fixup_count; j++)
            hp_apply_fixup(t.machine, &t, j, mem, sizeof mem, patch_load, base_load, &err);
        uint8_t out[16];
        for (uint32_t i = 0; i < t.function_count; i++) {
            hp_function f;
            hp_tables_function(&t, i, &f);
            (void) hp_tables_name(&t, f.name);
            if (f.flags & HP_FN_REDIRECT) hp_trampoline(t.machine, &t, i, base_load, patch_load, out, &err);
        }
        hp_check_reach(t.machine, &t, base_load, patch_load, &err);
        hp_check_reach(t.machine, &t, base_load, base_load + 0x7ff00000ull, &err);
    }
    free(copy);
    return 0;
}
