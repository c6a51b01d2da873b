/*
 * hp_offline: the portable core's steps 2, 3, 5 and 6 (docs/format.md 7) on files, for the tests on Linux.
 *
 *   hp_offline BASE PATCH OUT [BASE_LOAD PATCH_LOAD]     (addresses in hex; default: the base's ImageBase and
 *                                                          the patch's ImageBase)
 *
 * Reads and checks the patch's PE headers and tables, checks the base's identity (with the canonical SHA-256)
 * and trampoline sites (OriginalBytes against the base file), checks reach, lays the patch out as mapped at
 * PATCH_LOAD, applies its base relocations and fixups for a base at BASE_LOAD and writes the mapped image to OUT.
 * Prints "trampoline SITE_RVA BYTES" for every REDIRECT record, in hex. Exit 0 applied; 5 refused (malformed,
 * another base, out of reach); 1 unreadable input; 2 usage.
 */
#include "../core/hp_core.h"
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hp_alloc(size_t size) { return malloc(size); }
void hp_free(void *p) { free(p); }

/* Held in globals until exit: the program is short-lived and refusals return early. */
static uint8_t *base_file, *patch_file, *mem;

static uint8_t *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t) n : 1);
    if (p && fread(p, 1, (size_t) n, f) != (size_t) n) { free(p); p = NULL; }
    fclose(f);
    *size = (size_t) n;
    return p;
}

static int refuse(const char *what, const hp_error *err) {
    fprintf(stderr, "hp_offline: %s: %s\n", what, err->text);
    return 5;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: hp_offline BASE PATCH OUT [BASE_LOAD PATCH_LOAD]\n");
        return 2;
    }
    size_t base_size, patch_size;
    base_file = slurp(argv[1], &base_size);
    patch_file = slurp(argv[2], &patch_size);
    if (!base_file || !patch_file) {
        fprintf(stderr, "hp_offline: cannot read %s\n", base_file ? argv[2] : argv[1]);
        return 1;
    }
    hp_error err = {0};
    hp_pe base, patch;
    hp_tables t;
    const uint8_t *tables;
    uint32_t available, tables_rva;
    if (hp_pe_parse(&patch, patch_file, patch_size, &err)) return refuse("patch", &err);
    if (hp_pe_hotpatch_tables(&patch, &tables, &available, &tables_rva, &err)) return refuse("patch", &err);
    if (hp_tables_parse(&t, tables, available, &err)) return refuse("patch tables", &err);
    if (hp_check_patch_image(&patch, &t, &err)) return refuse("patch", &err);
    if (hp_pe_parse(&base, base_file, base_size, &err)) return refuse("base", &err);
    if (base.machine != t.machine) {
        fprintf(stderr, "hp_offline: the patch is for machine 0x%x, the base is 0x%x (rule 12)\n", t.machine,
                base.machine);
        return 5;
    }
    sha256_ctx c;
    sha256_init(&c);
    if (hp_canonical_form(&base, sha256_callback, &c, &err)) return refuse("base", &err);
    uint8_t digest[32];
    sha256_final(&c, digest);
    printf("canonical_sha256 ");
    for (int i = 0; i < 32; i++) printf("%02x", digest[i]);
    printf("\n");
    if (hp_check_identity(&t, base.time_date_stamp, base.check_sum, base.size_of_image, digest, &err))
        return refuse("identity", &err);
    if (hp_check_sites(&base, &t, &err)) return refuse("sites", &err);

    uint64_t base_load = argc == 6 ? strtoull(argv[4], NULL, 16) : base.image_base;
    uint64_t patch_load = argc == 6 ? strtoull(argv[5], NULL, 16) : patch.image_base;
    if (hp_check_reach(t.machine, &t, base_load, patch_load, &err)) return refuse("reach", &err);
    mem = calloc(1, patch.size_of_image);
    if (!mem) return 1;
    if (hp_map_sections(&patch, mem, patch.size_of_image, &err) ||
        hp_map_relocate(&patch, mem, patch.size_of_image, patch_load, &err) ||
        hp_apply_fixups(t.machine, &t, mem, patch.size_of_image, patch_load, base_load, &err))
        return refuse("apply", &err);
    for (uint32_t i = 0; i < t.function_count; i++) {
        hp_function f;
        hp_tables_function(&t, i, &f);
        if (!(f.flags & HP_FN_REDIRECT)) continue;
        int64_t at = hp_pe_file_offset(&base, f.site_rva, f.site_size);
        if (at < 0 || memcmp(base_file + at, f.original, f.site_size) != 0) {
            fprintf(stderr, "hp_offline: function %s: the base's bytes at rva 0x%x are not the patch's OriginalBytes\n",
                    hp_tables_name(&t, f.name), f.site_rva);
            return 5;
        }
        uint8_t bytes[16];
        if (hp_trampoline(t.machine, &t, i, base_load, patch_load, bytes, &err)) return refuse("trampoline", &err);
        printf("trampoline %x ", f.site_rva);
        for (int k = 0; k < f.site_size; k++) printf("%02x", bytes[k]);
        printf("\n");
    }
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(mem, 1, patch.size_of_image, out) != patch.size_of_image || fclose(out)) {
        fprintf(stderr, "hp_offline: cannot write %s\n", argv[3]);
        return 1;
    }
    return 0;
}
