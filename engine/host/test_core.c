/*
 * Unit tests of the engine's portable core on Linux: every rule of docs/format.md 2.7 broken once, in tables
 * built here from a one-line description or taken from the worked example of section 9; fixup, trampoline and
 * reach computations against numbers worked by hand from sections 4 and 5.
 *
 *   test_core WORKED-EXAMPLE.hex      (packager/src/test/resources/dev/hotpatch/packager/format/worked-example.hex)
 *
 * Prints one line per failed check and a summary; exit 0 only when every check passed.
 */
#include "../core/hp_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hp_alloc(size_t size) { return malloc(size); }
void hp_free(void *p) { free(p); }

static int checks, failures;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static uint8_t example[0x100];
static size_t example_size;

static void read_hex(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("cannot read %s\n", path); exit(1); }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *p = strchr(line, ':');
        if (!p) continue;
        p++;
        /* the bytes are the hex pairs up to the first word that is not a hex pair (the annotation) */
        for (;;) {
            while (*p == ' ') p++;
            unsigned v;
            int n;
            if (sscanf(p, "%2x%n", &v, &n) != 1 || n != 2 || (p[2] != ' ' && p[2] != '\n' && p[2] != 0)) break;
            example[example_size++] = (uint8_t) v;
            p += 2;
        }
    }
    fclose(f);
}

/* Parses a copy of the worked example with one u32 (width 4), u16 (2) or u8 (1) changed at offset. */
static int mutated(size_t offset, int width, uint32_t value, hp_error *err) {
    static uint8_t copy[0x100];
    memcpy(copy, example, example_size);
    for (int i = 0; i < width; i++) copy[offset + (size_t) i] = (uint8_t) (value >> (8 * i));
    hp_tables t;
    return hp_tables_parse(&t, copy, (uint32_t) example_size, err);
}

static void rule(size_t offset, int width, uint32_t value, const char *expected) {
    hp_error err = {0};
    int rc = mutated(offset, width, value, &err);
    CHECK(rc == HP_EFORMAT && strstr(err.text, expected), "offset 0x%zx := 0x%x: expected an error with \"%s\", got "
          "%d \"%s\"", offset, value, expected, rc, err.text);
}

static void worked_example(void) {
    hp_tables t;
    hp_error err = {0};
    CHECK(example_size == 0xF8, "worked example is 0x%zx bytes", example_size);
    int rc = hp_tables_parse(&t, example, (uint32_t) example_size, &err);
    CHECK(rc == HP_OK, "worked example refused: %s", err.text);
    if (rc) return;
    CHECK(t.sequence == 2 && t.min_sequence == 1 && t.flags == 0x32, "header fields");
    CHECK(t.base_time_date_stamp == 0x6543210F && t.base_check_sum == 0x0001ABCD && t.base_size_of_image == 0x23000,
          "base fields");
    CHECK(strcmp(hp_tables_name(&t, t.base_name), "app.exe") == 0, "base name");
    hp_function f;
    hp_tables_function(&t, 0, &f);
    CHECK(f.base_rva == 0x1450 && strcmp(hp_tables_name(&t, f.name), "compute") == 0, "function record");
    CHECK(t.data_fixups == 1, "data fixups start at 1, found %u", t.data_fixups);

    /* section 9's numbers: REL32 -> 01 20 FD FF at patch rva 0x100b; trampoline E9 AB FB 02 00 */
    static uint8_t mem[0x2000];
    memset(mem, 0, sizeof mem);
    rc = hp_apply_fixups(HP_MACHINE_AMD64, &t, mem, sizeof mem, 0x140030000ull, 0x140000000ull, &err);
    CHECK(rc == HP_OK && memcmp(mem + 0x100B, "\x01\x20\xfd\xff", 4) == 0, "REL32 bytes: %s", err.text);
    uint8_t tramp[16];
    rc = hp_trampoline(HP_MACHINE_AMD64, &t, 0, 0x140000000ull, 0x140030000ull, tramp, &err);
    CHECK(rc == HP_OK && memcmp(tramp, "\xe9\xab\xfb\x02\x00", 5) == 0, "trampoline bytes: %s", err.text);
    CHECK(hp_check_reach(HP_MACHINE_AMD64, &t, 0x140000000ull, 0x140030000ull, &err) == HP_OK, "in reach");
    /* a patch 3 GB away is out of reach for both the REL32 and the jump */
    rc = hp_check_reach(HP_MACHINE_AMD64, &t, 0x140000000ull, 0x200000000ull, &err);
    CHECK(rc == HP_EREACH && strstr(err.text, "compute"), "out of reach names the function: %d %s", rc, err.text);
    rc = hp_apply_fixups(HP_MACHINE_AMD64, &t, mem, sizeof mem, 0x200000000ull, 0x140000000ull, &err);
    CHECK(rc == HP_EREACH && strstr(err.text, "global counter"), "REL32 out of reach names the target: %s", err.text);
    /* x86 arithmetic wraps modulo 2^32 */
    memset(mem, 0, sizeof mem);
    rc = hp_apply_fixup(HP_MACHINE_I386, &t, 0, mem, sizeof mem, 0xF0000000ull, 0x10000000ull, &err);
    CHECK(rc == HP_OK && hp_u32(mem + 0x100B) == (uint32_t) (0x10003010u - 0xF000100Fu), "x86 REL32 wraps");

    uint8_t digest[32] = {0};
    for (int i = 0; i < 32; i++) digest[i] = (uint8_t) i;
    CHECK(hp_check_identity(&t, 0x6543210F, 0x0001ABCD, 0x23000, digest, &err) == HP_OK, "identity");
    rc = hp_check_identity(&t, 0x6543210E, 0x0001ABCD, 0x23000, digest, &err);
    CHECK(rc == HP_EBASE && strstr(err.text, "app.exe") && strstr(err.text, "time_date_stamp"), "%s", err.text);
    digest[31] ^= 1;
    rc = hp_check_identity(&t, 0x6543210F, 0x0001ABCD, 0x23000, digest, &err);
    CHECK(rc == HP_EBASE && strstr(err.text, "sha256"), "%s", err.text);
}

/* Each rule of 2.7 that one field of the worked example can break. */
static void single_field_rules(void) {
    hp_error err;
    hp_tables t;
    CHECK(hp_tables_parse(&t, example, 63, &err) == HP_EFORMAT && strstr(err.text, "hpatch_header.extent"), "extent");
    CHECK(hp_tables_parse(&t, example, 0xF7, &err) == HP_EFORMAT && strstr(err.text, "hpatch_header.size"),
          "size past the bytes there are: %s", err.text);
    rule(0x00, 4, 0x54415049, "hpatch_header.magic at 0x0");
    rule(0x04, 2, 2, "hpatch_header.format_version at 0x4");
    rule(0x06, 2, 0x48, "hpatch_header.header_size at 0x6");
    rule(0x08, 4, 0x7F, "hpatch_header.size at 0x8");
    rule(0x14, 4, 0x72, "hpatch_header.flags at 0x14");
    rule(0x14, 4, 0x36, "hpatch_header.flags at 0x14");          /* two machine bits */
    rule(0x14, 4, 0x22, "hpatch_header.flags at 0x14");          /* none */
    rule(0x0C, 4, 0, "hpatch_header.sequence_number at 0xc");
    rule(0x10, 4, 3, "hpatch_header.min_sequence_number at 0x10");
    rule(0x34, 1, 1, "hpatch_header.reserved at 0x34");
    rule(0x3C, 1, 1, "hpatch_header.reserved at 0x34");
    rule(0x18, 4, 0x42, "hpatch_header.base_offset at 0x18");
    rule(0x18, 4, 0x100, "hpatch_header.base_offset at 0x18");
    rule(0x18, 4, 0x20, "hpatch_header.base_offset at 0x18");    /* overlaps the header */
    rule(0x20, 4, 2, "hpatch_header.function_count at 0x20");
    rule(0x20, 4, 0x100001, "hpatch_header.function_count at 0x20");
    rule(0x28, 4, 0x1000001, "hpatch_header.fixup_count at 0x28");
    rule(0x24, 4, 0xA0, "hpatch_header.fixup_offset at 0x24");   /* overlaps the function table */
    rule(0x24, 4, 0xC2, "hpatch_header.fixup_offset at 0x24");
    rule(0x30, 4, 0, "hpatch_header.string_size at 0x30");
    rule(0x30, 4, 0x21, "hpatch_header.string_size at 0x30");
    rule(0xD8, 1, 'x', "string_table.empty_string at 0xd8");
    rule(0x4C, 2, 0x14c, "hpatch_base.machine at 0x4c");
    rule(0x4E, 2, 1, "hpatch_base.reserved at 0x4e");
    rule(0x74, 1, 1, "hpatch_base.reserved at 0x74");
    rule(0x70, 4, 2, "hpatch_base.name_offset at 0x70");          /* inside "app.exe" */
    rule(0x70, 4, 0x20, "hpatch_base.name_offset at 0x70");       /* past the table */
    rule(0xDA, 1, 0xFF, "hpatch_base.name_offset at 0x70");       /* not UTF-8 */
    rule(0xF7, 1, 'x', "fixup_record[0].name_offset at 0xd0");    /* no NUL before the end */
    rule(0x88, 4, 0, "function_record[0].patch_size at 0x88");
    rule(0x84, 4, 0xFFFFFFF0, "function_record[0].patch_size at 0x88");
    rule(0x8C, 4, 0x9, "function_record[0].flags at 0x8c");
    rule(0x8C, 4, 0x3, "function_record[0].flags at 0x8c");       /* NEW | REDIRECT */
    rule(0x8C, 4, 0x4, "function_record[0].flags at 0x8c");       /* HOP without REDIRECT */
    rule(0x8C, 4, 0x2, "function_record[0].base_rva at 0x80");    /* NEW with a BaseRva */
    rule(0x80, 4, 0x23000, "function_record[0].base_rva at 0x80");
    rule(0x94, 1, 7, "function_record[0].site_size at 0x94");
    rule(0x90, 4, 0x1451, "function_record[0].site_rva at 0x90");
    rule(0x95, 1, 1, "function_record[0].reserved at 0x95");
    rule(0xB8, 1, 1, "function_record[0].reserved at 0x95");
    rule(0x9D, 1, 1, "function_record[0].original_bytes at 0x98");
    rule(0xA8, 4, 1, "function_record[0].fixup_count at 0xac");
    rule(0xAC, 4, 2, "function_record[0].fixup_count at 0xac");
    rule(0xB0, 4, 0x100, "function_record[0].name_offset at 0xb0");
    rule(0xC4, 1, 8, "fixup_record[0].kind at 0xc4");
    rule(0xC4, 1, 0, "fixup_record[0].kind at 0xc4");
    rule(0xC4, 1, 4, "fixup_record[0].kind at 0xc4");             /* ARM64 kind on x64 */
    rule(0xC4, 1, 1, "fixup_record[0].kind at 0xc4");             /* X86_ABS32 on x64 */
    rule(0xC5, 1, 5, "fixup_record[0].tail at 0xc5");
    rule(0xC6, 2, 4, "fixup_record[0].pair_offset at 0xc6");
    rule(0xC0, 4, 0xFFFFFFFE, "fixup_record[0].site_rva at 0xc0");
    rule(0xC8, 4, 0x23000, "fixup_record[0].target_rva at 0xc8");
    rule(0xD4, 4, 1, "fixup_record[0].reserved at 0xd4");
    rule(0xD0, 4, 0x12, "fixup_record[0].name_offset at 0xd0");
}

/* ---- tables built from a description, for the rules about several records ---------------------------- */

typedef struct built { uint8_t bytes[0x1000]; uint32_t size; } built;

/* machine: 0x8664 or 0xaa64; fns: [base_rva, patch_rva, flags, fixup_count] each; fxs: [site, kind, mod, pair,
 * target] each */
static void build(built *b, uint16_t machine, int nfn, const uint32_t (*fns)[4], int nfx, const uint32_t (*fxs)[5]) {
    memset(b, 0, sizeof *b);
    uint8_t *h = b->bytes;
    uint32_t fo = 0x80, xo = fo + 64u * (uint32_t) nfn, so = xo + 24u * (uint32_t) nfx;
    b->size = so + 1;
    hp_put32(h, HP_MAGIC);
    h[4] = 1; h[6] = 64;
    hp_put32(h + 8, b->size);
    hp_put32(h + 0xC, 1);
    hp_put32(h + 0x14, 0x2 | (machine == HP_MACHINE_ARM64 ? 0x8 : 0x10));
    hp_put32(h + 0x18, 0x40);
    hp_put32(h + 0x1C, fo);
    hp_put32(h + 0x20, (uint32_t) nfn);
    hp_put32(h + 0x24, xo);
    hp_put32(h + 0x28, (uint32_t) nfx);
    hp_put32(h + 0x2C, so);
    hp_put32(h + 0x30, 1);
    hp_put32(h + 0x48, 0x100000);
    h[0x4C] = (uint8_t) machine; h[0x4D] = (uint8_t) (machine >> 8);
    uint32_t first = 0;
    for (int i = 0; i < nfn; i++) {
        uint8_t *r = h + fo + 64 * i;
        uint32_t flags = fns[i][2];
        hp_put32(r, fns[i][0]);
        hp_put32(r + 4, fns[i][1]);
        hp_put32(r + 8, 0x10);
        hp_put32(r + 0xC, flags);
        if (flags & HP_FN_REDIRECT) {
            int hop = (flags & HP_FN_HOP) != 0;
            hp_put32(r + 0x10, hop ? fns[i][0] - 5 : fns[i][0]);
            r[0x14] = machine == HP_MACHINE_ARM64 ? 4 : hop ? 7 : 5;
        }
        hp_put32(r + 0x28, first);
        hp_put32(r + 0x2C, fns[i][3]);
        first += fns[i][3];
    }
    for (int j = 0; j < nfx; j++) {
        uint8_t *r = h + xo + 24 * j;
        hp_put32(r, fxs[j][0]);
        r[4] = (uint8_t) fxs[j][1];
        r[5] = (uint8_t) fxs[j][2];
        r[6] = (uint8_t) fxs[j][3];
        hp_put32(r + 8, fxs[j][4]);
    }
}

static void expect_built(const built *b, const char *expected, int line) {
    hp_tables t;
    hp_error err = {0};
    int rc = hp_tables_parse(&t, b->bytes, b->size, &err);
    if (!expected) CHECK(rc == HP_OK, "line %d: refused: %s", line, err.text);
    else CHECK(rc == HP_EFORMAT && strstr(err.text, expected), "line %d: expected \"%s\", got %d \"%s\"", line,
               expected, rc, err.text);
}

static void multi_record_rules(void) {
    built b;
    {   /* a valid pair of functions, one NEW, one HOP */
        const uint32_t fns[][4] = {{0x2005, 0x1000, 5, 0}, {HP_NO_BASE_RVA, 0x1010, HP_FN_NEW, 0}};
        build(&b, HP_MACHINE_AMD64, 2, fns, 0, NULL);
        expect_built(&b, NULL, __LINE__);
    }
    {   /* rule 8: order by PatchRva */
        const uint32_t fns[][4] = {{0x2000, 0x1010, 1, 0}, {0x3000, 0x1000, 1, 0}};
        build(&b, HP_MACHINE_AMD64, 2, fns, 0, NULL);
        expect_built(&b, "function_record[1].patch_rva at 0xc4: expected records sorted", __LINE__);
    }
    {   /* rule 8: a shared PatchRva is fine, the same BaseRva twice is not */
        const uint32_t ok[][4] = {{0x2000, 0x1000, 1, 0}, {0x3000, 0x1000, 1, 0}};
        build(&b, HP_MACHINE_AMD64, 2, ok, 0, NULL);
        expect_built(&b, NULL, __LINE__);
        const uint32_t fns[][4] = {{0x2000, 0x1000, 0, 0}, {0x2000, 0x1010, 1, 0}};
        build(&b, HP_MACHINE_AMD64, 2, fns, 0, NULL);
        expect_built(&b, "function_record[1].base_rva at 0xc0: expected a base function no other record replaces",
                     __LINE__);
    }
    {   /* rule 8: overlapping trampoline sites (a HOP's padding over another function's jump) */
        const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 0}, {0x2008, 0x1010, 5, 0}};
        build(&b, HP_MACHINE_AMD64, 2, fns, 0, NULL);
        expect_built(&b, "function_record[1].site_rva at 0xd0: expected a site that no other trampoline", __LINE__);
    }
    {   /* rules 7 and 8 on ARM64: no HOP, BaseRva a multiple of 4 */
        const uint32_t hop[][4] = {{0x2008, 0x1000, 5, 0}};
        build(&b, HP_MACHINE_ARM64, 1, hop, 0, NULL);
        expect_built(&b, "function_record[0].flags at 0x8c: expected no HOP on ARM64", __LINE__);
        const uint32_t odd[][4] = {{0x2002, 0x1000, 1, 0}};
        build(&b, HP_MACHINE_ARM64, 1, odd, 0, NULL);
        expect_built(&b, "function_record[0].base_rva at 0x80: expected a multiple of 4", __LINE__);
    }
    {   /* rule 10: sorted within a run; a data fixup run is sorted separately */
        const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 2}};
        const uint32_t fxs[][5] = {{0x1010, 3, 0, 0, 0x3000}, {0x1008, 3, 0, 0, 0x3000}};
        build(&b, HP_MACHINE_AMD64, 1, fns, 2, fxs);
        expect_built(&b, "fixup_record[1].site_rva at 0xd8: expected fixups sorted by SiteRva", __LINE__);
        const uint32_t runs[][4] = {{0x2000, 0x1000, 1, 1}};
        build(&b, HP_MACHINE_AMD64, 1, runs, 2, fxs);   /* the second is a data fixup: its own run */
        expect_built(&b, NULL, __LINE__);
    }
    {   /* rule 11: two fixups writing one byte, across runs */
        const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 1}};
        const uint32_t fxs[][5] = {{0x1010, 3, 0, 0, 0x3000}, {0x100E, 2, 0, 0, 0x3000}};
        build(&b, HP_MACHINE_AMD64, 1, fns, 2, fxs);
        expect_built(&b, "expected bytes no other fixup writes (fixup_record[1] writes up to 0x1016)", __LINE__);
    }
    {   /* rule 11's exception: a shared ADRP whose pairs target one page; not when the pages differ */
        const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 2}};
        const uint32_t same[][5] = {{0x1000, 4, 0, 4, 0x3010}, {0x1000, 5, 3, 8, 0x3ff8}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 2, same);
        expect_built(&b, NULL, __LINE__);
        const uint32_t other[][5] = {{0x1000, 4, 0, 4, 0x3010}, {0x1000, 5, 3, 8, 0x4000}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 2, other);
        expect_built(&b, "fixup_record[1].site_rva", __LINE__);
        const uint32_t pairs[][5] = {{0x1000, 4, 0, 8, 0x3010}, {0x1004, 5, 3, 4, 0x3ff8}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 2, pairs);   /* the second's LDR is the first's ADD */
        expect_built(&b, "(its second instruction)", __LINE__);
    }
    {   /* rule 9 on ARM64: alignment of sites and targets */
        const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 1}};
        const uint32_t site[][5] = {{0x1002, 6, 0, 0, 0x3000}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 1, site);
        expect_built(&b, "fixup_record[0].site_rva at 0xc0: expected a multiple of 4", __LINE__);
        const uint32_t target[][5] = {{0x1000, 5, 3, 4, 0x3004}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 1, target);
        expect_built(&b, "fixup_record[0].target_rva at 0xc8: expected TargetRva + Addend aligned to 8", __LINE__);
        const uint32_t shift[][5] = {{0x1000, 5, 5, 4, 0x3000}};
        build(&b, HP_MACHINE_ARM64, 1, fns, 1, shift);
        expect_built(&b, "fixup_record[0].access_shift at 0xc5", __LINE__);
    }
}

/* ---- ARM64 instruction fields (section 4), worked by hand ---------------------------------------------- */

static void arm64_fixups(void) {
    built b;
    const uint32_t fns[][4] = {{0x2000, 0x1000, 1, 3}};
    /* ADRP x0 + ADD x0, x0 at 0x1000/0x1004 -> 0x5123; ADRP x1 + LDR x1, [x1] at 0x1008/0x100c -> 0x6ff8;
     * BL at 0x1010 -> 0x2000 */
    const uint32_t fxs[][5] = {{0x1000, 4, 0, 4, 0x5123}, {0x1008, 5, 3, 4, 0x6ff8}, {0x1010, 6, 0, 0, 0x2000}};
    build(&b, HP_MACHINE_ARM64, 1, fns, 3, fxs);
    hp_tables t;
    hp_error err = {0};
    CHECK(hp_tables_parse(&t, b.bytes, b.size, &err) == HP_OK, "arm64 tables: %s", err.text);
    static uint8_t mem[0x2000];
    memset(mem, 0, sizeof mem);
    hp_put32(mem + 0x1000, 0x90000000);  /* adrp x0, 0 */
    hp_put32(mem + 0x1004, 0x91000000);  /* add x0, x0, #0 */
    hp_put32(mem + 0x1008, 0x90000001);  /* adrp x1, 0 */
    hp_put32(mem + 0x100c, 0xF9400021);  /* ldr x1, [x1] */
    hp_put32(mem + 0x1010, 0x94000000);  /* bl 0 */
    uint64_t base = 0x180000000ull, patch = 0x180100000ull;
    int rc = hp_apply_fixups(HP_MACHINE_ARM64, &t, mem, sizeof mem, patch, base, &err);
    CHECK(rc == HP_OK, "arm64 fixups: %s", err.text);
    /* page delta (0x180005000 - 0x180101000) >> 12 = -0xfc = ...; immlo = -0xfc & 3 = 0, immhi = (-0xfc >> 2) & 0x7ffff */
    int64_t pages = ((int64_t) 0x180005000 - (int64_t) 0x180101000) >> 12;
    uint32_t want = 0x90000000u | (uint32_t) (pages & 3) << 29 | (uint32_t) ((pages >> 2) & 0x7FFFF) << 5;
    CHECK(hp_u32(mem + 0x1000) == want, "ADRP 0x%x, want 0x%x", hp_u32(mem + 0x1000), want);
    CHECK(hp_u32(mem + 0x1004) == (0x91000000u | 0x123u << 10), "ADD 0x%x", hp_u32(mem + 0x1004));
    CHECK(hp_u32(mem + 0x100c) == (0xF9400021u | (0xff8u >> 3) << 10), "LDR 0x%x", hp_u32(mem + 0x100c));
    int64_t delta = (int64_t) 0x180002000 - (int64_t) 0x180101010;
    CHECK(hp_u32(mem + 0x1010) == (0x94000000u | ((uint32_t) (delta >> 2) & 0x3FFFFFF)), "BL 0x%x",
          hp_u32(mem + 0x1010));
    /* rule 14: the class of the instruction a fixup completes */
    hp_put32(mem + 0x1004, 0xF9400000);  /* an LDR where the ADD should be */
    rc = hp_apply_fixup(HP_MACHINE_ARM64, &t, 0, mem, sizeof mem, patch, base, &err);
    CHECK(rc == HP_ECLASS && strstr(err.text, "expected ADD (immediate)"), "class: %d %s", rc, err.text);
    hp_put32(mem + 0x100c, 0xB9400021);  /* ldr w1: scale 2, the record says 3 */
    rc = hp_apply_fixup(HP_MACHINE_ARM64, &t, 1, mem, sizeof mem, patch, base, &err);
    CHECK(rc == HP_ECLASS && strstr(err.text, "access shift 3"), "scale: %d %s", rc, err.text);
    /* reach: BRANCH26 beyond 128 MB, ADRP within 4 GB */
    rc = hp_check_reach(HP_MACHINE_ARM64, &t, base, base + 0x9000000ull, &err);
    CHECK(rc == HP_EREACH && strstr(err.text, "128 MB"), "B reach: %d %s", rc, err.text);
    uint8_t tramp[16];
    rc = hp_trampoline(HP_MACHINE_ARM64, &t, 0, base, patch, tramp, &err);
    CHECK(rc == HP_OK && hp_u32(tramp) == (0x14000000u | (uint32_t) ((0x100000 + 0x1000 - 0x2000) >> 2)),
          "B trampoline 0x%x", hp_u32(tramp));
}

static void hop_trampoline(void) {
    built b;
    const uint32_t fns[][4] = {{0x2005, 0x1000, 5, 0}};
    build(&b, HP_MACHINE_AMD64, 1, fns, 0, NULL);
    hp_tables t;
    hp_error err = {0};
    CHECK(hp_tables_parse(&t, b.bytes, b.size, &err) == HP_OK, "hop tables: %s", err.text);
    uint8_t out[16];
    /* B = 0x10002005, P = 0x10101000: E9 (P - B) at B - 5, then EB F9 */
    CHECK(hp_trampoline(HP_MACHINE_AMD64, &t, 0, 0x10000000, 0x10100000, out, &err) == HP_OK &&
          memcmp(out, "\xe9\xfb\xef\x0f\x00\xeb\xf9", 7) == 0, "hop bytes %02x %02x %02x %02x %02x %02x %02x",
          out[0], out[1], out[2], out[3], out[4], out[5], out[6]);
}

static void helpers(void) {
    uint64_t keys[1000], copy[1000];
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 1000; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; keys[i] = copy[i] = x % 500; }
    hp_sort_u64(keys, 1000);
    int sorted = 1;
    for (int i = 1; i < 1000; i++) sorted &= keys[i - 1] <= keys[i];
    uint64_t sum1 = 0, sum2 = 0;
    for (int i = 0; i < 1000; i++) { sum1 += keys[i] * keys[i]; sum2 += copy[i] * copy[i]; }
    CHECK(sorted && sum1 == sum2, "hp_sort_u64");
    char buf[64];
    hp_format(buf, sizeof buf, "%s %u %d %x %llx %c%%", "a", 42u, -7, 0xbeefu, 0x140000000ull, 'z');
    CHECK(strcmp(buf, "a 42 -7 beef 140000000 z%") == 0, "hp_format: %s", buf);
    hp_format(buf, 8, "%s", "truncated text");
    CHECK(strcmp(buf, "truncat") == 0, "hp_format truncates: %s", buf);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_core WORKED-EXAMPLE.hex\n");
        return 2;
    }
    read_hex(argv[1]);
    worked_example();
    single_field_rules();
    multi_record_rules();
    arm64_fixups();
    hop_trampoline();
    helpers();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
