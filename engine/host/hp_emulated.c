/*
 * hpcore.dll: the engine's portable core as the cross compilers build it for Windows (x86, x64, ARM64), with no
 * import at all, so that an emulator can run it (host/emulate_core.py, unicorn): one export, hp_emu_run, does
 * what host/hp_offline.c does on Linux (steps 2, 3 without the hash, 5 and 6 of docs/format.md 7 on files)
 * and writes the mapped patch and the trampolines into buffers the caller provides.
 */
#include "../core/hp_core.h"

/* Every pointer travels as a u64, so that the block has one layout on every machine. */
typedef struct hp_emu_args {
    uint64_t base_file, base_size, patch_file, patch_size;
    uint64_t mem, mem_size;          /* the mapped patch: SizeOfImage bytes, zeroed */
    uint64_t base_load, patch_load;
    uint64_t tramps, tramp_capacity; /* entries of 24 bytes: u32 SiteRva, u32 SiteSize, u8[16] bytes */
    uint64_t heap, heap_size;        /* for hp_alloc */
    uint64_t tramp_count;            /* out */
    char error[600];                 /* out */
} hp_emu_args;

static uint8_t *heap_next, *heap_end;

void *hp_alloc(size_t size) {
    size = (size + 15) & ~(size_t) 15;
    if (!size || (size_t) (heap_end - heap_next) < size) return 0;
    void *p = heap_next;
    heap_next += size;
    return p;
}

void hp_free(void *p) { (void) p; }

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n) {
    volatile uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    volatile uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) while (n--) *d++ = *s++;
    else { d += n; s += n; while (n--) *--d = *--s; }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    volatile uint8_t *d = dst;
    while (n--) *d++ = (uint8_t) c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}

#define PTR(v) ((uint8_t *) (uintptr_t) (v))

static int run(hp_emu_args *a, hp_error *err) {
    hp_pe base, patch;
    hp_tables t;
    const uint8_t *tables;
    uint32_t available, tables_rva;
    int rc;
    if ((rc = hp_pe_parse(&patch, PTR(a->patch_file), (size_t) a->patch_size, err)) ||
        (rc = hp_pe_hotpatch_tables(&patch, &tables, &available, &tables_rva, err)) ||
        (rc = hp_tables_parse(&t, tables, available, err)) || (rc = hp_check_patch_image(&patch, &t, err)) ||
        (rc = hp_pe_parse(&base, PTR(a->base_file), (size_t) a->base_size, err)))
        return rc;
    if (base.machine != t.machine) return hp_fail(err, HP_EFORMAT, "machine differs (rule 12)");
    if (t.base_time_date_stamp != base.time_date_stamp || t.base_check_sum != base.check_sum ||
        t.base_size_of_image != base.size_of_image)
        return hp_fail(err, HP_EBASE, "the patch is for another build of %s", hp_tables_name(&t, t.base_name));
    if ((rc = hp_check_sites(&base, &t, err)) || (rc = hp_check_reach(t.machine, &t, a->base_load, a->patch_load, err)))
        return rc;
    if (a->mem_size < patch.size_of_image) return hp_fail(err, HP_EFORMAT, "the buffer is too small");
    if ((rc = hp_map_sections(&patch, PTR(a->mem), (size_t) a->mem_size, err)) ||
        (rc = hp_map_relocate(&patch, PTR(a->mem), (size_t) a->mem_size, a->patch_load, err)) ||
        (rc = hp_apply_fixups(t.machine, &t, PTR(a->mem), (size_t) a->mem_size, a->patch_load, a->base_load, err)))
        return rc;
    a->tramp_count = 0;
    for (uint32_t i = 0; i < t.function_count; i++) {
        hp_function f;
        hp_tables_function(&t, i, &f);
        if (!(f.flags & HP_FN_REDIRECT)) continue;
        int64_t at = hp_pe_file_offset(&base, f.site_rva, f.site_size);
        if (at < 0 || !hp_equal(PTR(a->base_file) + at, f.original, f.site_size))
            return hp_fail(err, HP_EBASE, "function %s: the base's bytes are not the OriginalBytes",
                           hp_tables_name(&t, f.name));
        if (a->tramp_count == a->tramp_capacity) return hp_fail(err, HP_ENOMEM, "too many trampolines");
        uint8_t *e = PTR(a->tramps) + 24 * a->tramp_count++;
        hp_put32(e, f.site_rva);
        hp_put32(e + 4, f.site_size);
        if ((rc = hp_trampoline(t.machine, &t, i, a->base_load, a->patch_load, e + 8, err))) return rc;
    }
    return HP_OK;
}

__declspec(dllexport) int hp_emu_run(hp_emu_args *a) {
    heap_next = PTR(a->heap);
    heap_end = heap_next + a->heap_size;
    hp_error err;
    err.code = 0;
    err.text[0] = 0;
    int rc = run(a, &err);
    hp_copy(a->error, err.text, sizeof a->error);
    a->error[sizeof a->error - 1] = 0;
    return rc;
}

/* The DLL's entry point for the ARM64 link (the emulator never runs it). */
int __stdcall hp_emu_entry(void *instance, unsigned reason, void *reserved);
int __stdcall hp_emu_entry(void *instance, unsigned reason, void *reserved) {
    (void) instance; (void) reason; (void) reserved;
    return 1;
}
