/*
 * The hot-patch tables reader: rules 1 to 11 of docs/format.md 2.7, in the order of the Java reader
 * (HotPatchTablesReader), with its error names. Offsets in messages are from the start of HPATCH_HEADER.
 * Nothing is allocated before the count that sizes it has been checked against the bytes that must hold it.
 */
#include "hp_core.h"

#define HDR "hpatch_header"
#define BASE "hpatch_base"
#define FN_LEN 64u
#define FX_LEN 24u
#define TWO_32 (1ull << 32)

static int nonzero(const uint8_t *p, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (p[i]) return 1;
    return 0;
}

static int utf8_ok(const uint8_t *s, uint32_t n) {
    for (uint32_t i = 0; i < n;) {
        uint8_t c = s[i];
        uint32_t need;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; }
        else return 0;
        if (n - i <= need) return 0;
        for (uint32_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Rule 5 for one NameOffset: the start of a NUL-terminated UTF-8 string inside the table. */
static int name_ok(const hp_tables *t, uint32_t off, const char *structure, uint32_t field_at, hp_error *err) {
    const uint8_t *s = t->bytes + t->string_offset;
    if (off >= t->string_size)
        return hp_fail(err, HP_EFORMAT, "%s.name_offset at 0x%x: expected an offset inside the string table (below "
                       "0x%x), found 0x%x", structure, field_at, t->string_size, off);
    if (off > 0 && s[off - 1] != 0)
        return hp_fail(err, HP_EFORMAT, "%s.name_offset at 0x%x: expected the start of a string (offset 0, or just "
                       "after a NUL), found 0x%x, inside the string at table offset 0x%x", structure, field_at, off,
                       t->string_offset + off - 1);
    uint32_t end = off;
    while (end < t->string_size && s[end]) end++;
    if (end == t->string_size)
        return hp_fail(err, HP_EFORMAT, "%s.name_offset at 0x%x: expected a string that ends with a NUL inside the "
                       "string table (which ends at 0x%x), found no NUL after 0x%x", structure, field_at,
                       t->string_offset + t->string_size, off);
    if (!utf8_ok(s + off, end - off))
        return hp_fail(err, HP_EFORMAT, "%s.name_offset at 0x%x: expected a UTF-8 string, found bytes that are not "
                       "UTF-8 at table offset 0x%x", structure, field_at, t->string_offset + off);
    return HP_OK;
}

const char *hp_tables_name(const hp_tables *t, uint32_t name_offset) {
    return (const char *) t->bytes + t->string_offset + name_offset;
}

typedef struct table { const char *name; uint32_t offset_field, offset; uint64_t length; } table;

static int place(const char *name, uint32_t offset_field, uint32_t offset, int count_field, uint64_t count,
                 uint32_t record, uint64_t limit, uint32_t size, table *out, hp_error *err) {
    if (record > 1 && offset % 4)
        return hp_fail(err, HP_EFORMAT, HDR ".%s_offset at 0x%x: expected a multiple of 4, found 0x%x", name,
                       offset_field, offset);
    if (offset > size)
        return hp_fail(err, HP_EFORMAT, HDR ".%s_offset at 0x%x: expected an offset inside the tables (at most Size,"
                       " 0x%x), found 0x%x", name, offset_field, size, offset);
    const char *count_name = count_field < 0 ? "offset" : record == 1 ? "size" : "count";
    uint32_t field = count_field < 0 ? offset_field : (uint32_t) count_field;
    if (count > limit)
        return hp_fail(err, HP_EFORMAT, HDR ".%s_%s at 0x%x: expected at most %llu, found %llu", name, count_name,
                       field, (unsigned long long) limit, (unsigned long long) count);
    if (count * record > (uint64_t) size - offset)
        return hp_fail(err, HP_EFORMAT, HDR ".%s_%s at 0x%x: expected a table that ends inside the tables (at most "
                       "Size, 0x%x), found %llu records of %u bytes from 0x%x", name, count_name, field, size,
                       (unsigned long long) count, record, offset);
    out->name = name;
    out->offset_field = offset_field;
    out->offset = offset;
    out->length = count * record;
    return HP_OK;
}

static int header(hp_tables *t, uint32_t available, hp_error *err) {
    const uint8_t *h = t->bytes;
    if (available < 64)
        return hp_fail(err, HP_EFORMAT, HDR ".extent at 0x0: expected at least 64 bytes (the header), found %u bytes",
                       available);
    if (hp_u32(h) != HP_MAGIC)
        return hp_fail(err, HP_EFORMAT, HDR ".magic at 0x0: expected 0x54415048 (\"HPAT\"), found 0x%x", hp_u32(h));
    if (hp_u16(h + 4) != 1)
        return hp_fail(err, HP_EFORMAT, HDR ".format_version at 0x4: expected 1 (the only version this reader knows),"
                       " found %u", hp_u16(h + 4));
    if (hp_u16(h + 6) != 64)
        return hp_fail(err, HP_EFORMAT, HDR ".header_size at 0x6: expected 64 (format version 1), found 0x%x",
                       hp_u16(h + 6));
    uint32_t size = hp_u32(h + 8);
    if (size < 0x80 || size > available)
        return hp_fail(err, HP_EFORMAT, HDR ".size at 0x8: expected 0x80 (header and base) to 0x%x (the bytes there "
                       "are), found 0x%x", available, size);
    t->size = size;
    uint32_t flags = hp_u32(h + 0x14);
    uint32_t machine_bits = flags & 0x1C;
    if ((flags & ~0x3Fu) || !(machine_bits == 0x4 || machine_bits == 0x8 || machine_bits == 0x10))
        return hp_fail(err, HP_EFORMAT, HDR ".flags at 0x14: expected only the bits 0x3f, with exactly one of "
                       "MACHINE_I386 0x4, MACHINE_ARM64 0x8, MACHINE_AMD64 0x10, found 0x%x", flags);
    t->flags = flags;
    t->sequence = hp_u32(h + 0xC);
    if (t->sequence < 1)
        return hp_fail(err, HP_EFORMAT, HDR ".sequence_number at 0xc: expected at least 1, found 0");
    t->min_sequence = hp_u32(h + 0x10);
    if (t->min_sequence > t->sequence)
        return hp_fail(err, HP_EFORMAT, HDR ".min_sequence_number at 0x10: expected at most the sequence number %u, "
                       "found %u", t->sequence, t->min_sequence);
    if (nonzero(h + 0x34, 12))
        return hp_fail(err, HP_EFORMAT, HDR ".reserved at 0x34: expected 12 zero bytes, found a non-zero byte");
    t->base_offset = hp_u32(h + 0x18);
    t->function_offset = hp_u32(h + 0x1C);
    t->function_count = hp_u32(h + 0x20);
    t->fixup_offset = hp_u32(h + 0x24);
    t->fixup_count = hp_u32(h + 0x28);
    t->string_offset = hp_u32(h + 0x2C);
    t->string_size = hp_u32(h + 0x30);
    table tables[4];
    int rc;
    if ((rc = place("base", 0x18, t->base_offset, -1, 1, 64, 1, size, &tables[0], err)) ||
        (rc = place("function", 0x1C, t->function_offset, 0x20, t->function_count, FN_LEN, HP_MAX_FUNCTIONS, size,
                    &tables[1], err)) ||
        (rc = place("fixup", 0x24, t->fixup_offset, 0x28, t->fixup_count, FX_LEN, HP_MAX_FIXUPS, size, &tables[2],
                    err)) ||
        (rc = place("string", 0x2C, t->string_offset, 0x30, t->string_size, 1, UINT64_MAX, size, &tables[3], err)))
        return rc;
    if (t->string_size < 1)
        return hp_fail(err, HP_EFORMAT, HDR ".string_size at 0x30: expected at least 1 (the NUL of the empty string "
                       "at offset 0), found 0");
    /* rule 4: non-empty tables after the header, not overlapping (sorted by offset; stable for equal offsets) */
    int order[4] = {0, 1, 2, 3};
    for (int i = 1; i < 4; i++)
        for (int k = i; k > 0 && tables[order[k]].offset < tables[order[k - 1]].offset; k--) {
            int x = order[k]; order[k] = order[k - 1]; order[k - 1] = x;
        }
    uint64_t end = 64;
    const char *previous = "header";
    for (int i = 0; i < 4; i++) {
        const table *tb = &tables[order[i]];
        if (!tb->length) continue;
        if (tb->offset < end)
            return hp_fail(err, HP_EFORMAT, HDR ".%s_offset at 0x%x: expected a table that does not overlap the %s "
                           "table (which ends at 0x%llx), found 0x%x", tb->name, tb->offset_field, previous,
                           (unsigned long long) end, tb->offset);
        end = tb->offset + tb->length;
        previous = tb->name;
    }
    return HP_OK;
}

static int base(hp_tables *t, hp_error *err) {
    const uint8_t *b = t->bytes + t->base_offset;
    uint32_t at = t->base_offset;
    t->base_time_date_stamp = hp_u32(b);
    t->base_check_sum = hp_u32(b + 4);
    t->base_size_of_image = hp_u32(b + 8);
    t->machine = hp_u16(b + 0xC);
    uint32_t bit = t->flags & 0x1C;
    uint16_t want = bit == HP_FLAG_MACHINE_I386 ? HP_MACHINE_I386 : bit == HP_FLAG_MACHINE_AMD64 ? HP_MACHINE_AMD64
                                                                                                 : HP_MACHINE_ARM64;
    if (t->machine != want)
        return hp_fail(err, HP_EFORMAT, BASE ".machine at 0x%x: expected the machine the header's flags name (0x%x), "
                       "found 0x%x", at + 0xC, want, t->machine);
    if (hp_u16(b + 0xE))
        return hp_fail(err, HP_EFORMAT, BASE ".reserved at 0x%x: expected 0, found a non-zero value", at + 0xE);
    if (nonzero(b + 0x34, 12))
        return hp_fail(err, HP_EFORMAT, BASE ".reserved at 0x%x: expected 12 zero bytes, found a non-zero byte",
                       at + 0x34);
    hp_copy(t->base_sha256, b + 0x10, 32);
    t->base_name = hp_u32(b + 0x30);
    return name_ok(t, t->base_name, BASE, at + 0x30, err);
}

void hp_tables_function(const hp_tables *t, uint32_t i, hp_function *f) {
    const uint8_t *r = t->bytes + t->function_offset + FN_LEN * i;
    f->base_rva = hp_u32(r);
    f->patch_rva = hp_u32(r + 4);
    f->patch_size = hp_u32(r + 8);
    f->flags = hp_u32(r + 0xC);
    f->site_rva = hp_u32(r + 0x10);
    f->site_size = r[0x14];
    hp_copy(f->original, r + 0x18, 16);
    f->first_fixup = hp_u32(r + 0x28);
    f->fixup_count = hp_u32(r + 0x2C);
    f->name = hp_u32(r + 0x30);
}

void hp_tables_fixup(const hp_tables *t, uint32_t j, hp_fixup *x) {
    const uint8_t *r = t->bytes + t->fixup_offset + FX_LEN * j;
    x->site_rva = hp_u32(r);
    x->kind = r[4];
    x->modifier = r[5];
    x->pair_offset = hp_u16(r + 6);
    x->target_rva = hp_u32(r + 8);
    x->addend = (int32_t) hp_u32(r + 0xC);
    x->name = hp_u32(r + 0x10);
}

uint32_t hp_fixup_width(uint16_t machine, uint8_t kind) {
    switch (kind) {
    case HP_FIX_X86_ABS32: case HP_FIX_REL32: case HP_FIX_ARM64_ADRP_ADD: case HP_FIX_ARM64_ADRP_LDST:
    case HP_FIX_ARM64_BRANCH26: return 4;
    case HP_FIX_X64_ABS64: return 8;
    case HP_FIX_INDIRECT: return machine == HP_MACHINE_I386 ? 4 : 8;
    default: return 0;
    }
}

static int kind_allowed(uint16_t machine, uint8_t kind) {
    switch (kind) {
    case HP_FIX_X86_ABS32: return machine == HP_MACHINE_I386;
    case HP_FIX_X64_ABS64: return machine == HP_MACHINE_AMD64 || machine == HP_MACHINE_ARM64;
    case HP_FIX_REL32: return machine == HP_MACHINE_I386 || machine == HP_MACHINE_AMD64;
    case HP_FIX_ARM64_ADRP_ADD: case HP_FIX_ARM64_ADRP_LDST: case HP_FIX_ARM64_BRANCH26:
        return machine == HP_MACHINE_ARM64;
    case HP_FIX_INDIRECT: return 1;
    default: return 0;
    }
}

static int function(const hp_tables *t, uint32_t i, uint32_t next_fixup, hp_function *f, hp_error *err) {
    uint32_t at = t->function_offset + FN_LEN * i;
    const uint8_t *r = t->bytes + at;
    hp_tables_function(t, i, f);
    char s[40];
    hp_format(s, sizeof s, "function_record[%u]", i);
    if (f->patch_size < 1 || (uint64_t) f->patch_rva + f->patch_size > TWO_32)
        return hp_fail(err, HP_EFORMAT, "%s.patch_size at 0x%x: expected 1 to 0x%llx (a function that ends below "
                       "4 GB), found 0x%x", s, at + 8, (unsigned long long) (TWO_32 - f->patch_rva), f->patch_size);
    int is_new = (f->flags & HP_FN_NEW) != 0, redirect = (f->flags & HP_FN_REDIRECT) != 0;
    int hop = (f->flags & HP_FN_HOP) != 0;
    const char *problem = 0;
    if (f->flags & ~7u) problem = "only the bits 0x7 (REDIRECT 0x1, NEW 0x2, HOP 0x4)";
    else if (is_new && (redirect || hop)) problem = "NEW without REDIRECT or HOP (a new function has no base site)";
    else if (hop && !redirect) problem = "HOP only together with REDIRECT";
    else if (hop && t->machine == HP_MACHINE_ARM64) problem = "no HOP on ARM64 (its trampoline is one B instruction)";
    if (problem)
        return hp_fail(err, HP_EFORMAT, "%s.flags at 0x%x: expected %s, found 0x%x", s, at + 0xC, problem, f->flags);
    if (is_new != (f->base_rva == HP_NO_BASE_RVA))
        return hp_fail(err, HP_EFORMAT, "%s.base_rva at 0x%x: expected %s, found 0x%x", s, at, is_new
                       ? "0xffffffff (flags say NEW)"
                       : "the base function's entry RVA, not 0xffffffff (flags say it replaces a base function)",
                       f->base_rva);
    if (!is_new && f->base_rva >= t->base_size_of_image)
        return hp_fail(err, HP_EFORMAT, "%s.base_rva at 0x%x: expected an RVA inside the base image (below "
                       "OriginalSizeOfImage 0x%x), found 0x%x", s, at, t->base_size_of_image, f->base_rva);
    uint32_t want_rva = 0, want_size = 0;
    if (redirect) {
        if (t->machine == HP_MACHINE_ARM64) {
            want_size = 4;
            if (f->base_rva % 4)
                return hp_fail(err, HP_EFORMAT, "%s.base_rva at 0x%x: expected a multiple of 4 (an ARM64 "
                               "instruction), found 0x%x", s, at, f->base_rva);
        } else {
            want_size = hop ? 7 : 5;
        }
        if (hop && f->base_rva < 5)
            return hp_fail(err, HP_EFORMAT, "%s.base_rva at 0x%x: expected at least 5 (HOP writes the 5 bytes before "
                           "the entry), found 0x%x", s, at, f->base_rva);
        want_rva = hop ? f->base_rva - 5 : f->base_rva;
    }
    if (f->site_size != want_size)
        return hp_fail(err, HP_EFORMAT, "%s.site_size at 0x%x: expected %u (for these flags on this machine), found "
                       "%u", s, at + 0x14, want_size, f->site_size);
    if (f->site_rva != want_rva)
        return hp_fail(err, HP_EFORMAT, "%s.site_rva at 0x%x: expected 0x%x (for these flags and this BaseRva), "
                       "found 0x%x", s, at + 0x10, want_rva, f->site_rva);
    if ((uint64_t) f->site_rva + f->site_size > t->base_size_of_image)
        return hp_fail(err, HP_EFORMAT, "%s.site_rva at 0x%x: expected a site that ends inside the base image "
                       "(OriginalSizeOfImage 0x%x), found 0x%x+%u", s, at + 0x10, t->base_size_of_image,
                       f->site_rva, f->site_size);
    if (nonzero(r + 0x15, 3) || nonzero(r + 0x34, 12))
        return hp_fail(err, HP_EFORMAT, "%s.reserved at 0x%x: expected zero bytes at 0x15..0x17 and 0x34..0x3f of "
                       "the record, found a non-zero byte", s, at + 0x15);
    if (nonzero(r + 0x18 + f->site_size, 16u - f->site_size))
        return hp_fail(err, HP_EFORMAT, "%s.original_bytes at 0x%x: expected zero bytes after the first SiteSize "
                       "(%u), found a non-zero byte", s, at + 0x18, f->site_size);
    if (f->first_fixup > t->fixup_count || f->fixup_count > t->fixup_count - f->first_fixup)
        return hp_fail(err, HP_EFORMAT, "%s.fixup_count at 0x%x: expected a run that ends inside the fixup table "
                       "(FixupCount %u), found %u fixups from index %u", s, at + 0x2C, t->fixup_count,
                       f->fixup_count, f->first_fixup);
    if (f->first_fixup != next_fixup)
        return hp_fail(err, HP_EFORMAT, "%s.first_fixup at 0x%x: expected %u (runs follow one another in function "
                       "order), found %u", s, at + 0x28, next_fixup, f->first_fixup);
    return name_ok(t, f->name, s, at + 0x30, err);
}

static int fixup(const hp_tables *t, uint32_t j, hp_error *err) {
    uint32_t at = t->fixup_offset + FX_LEN * j;
    hp_fixup x;
    hp_tables_fixup(t, j, &x);
    char s[40];
    hp_format(s, sizeof s, "fixup_record[%u]", j);
    if (x.kind < 1 || x.kind > 7)
        return hp_fail(err, HP_EFORMAT, "%s.kind at 0x%x: expected a kind from 1 to 7, found %u", s, at + 4, x.kind);
    if (!kind_allowed(t->machine, x.kind))
        return hp_fail(err, HP_EFORMAT, "%s.kind at 0x%x: expected a kind for machine 0x%x, found %u", s, at + 4,
                       t->machine, x.kind);
    int ldst = x.kind == HP_FIX_ARM64_ADRP_LDST;
    int pair = x.kind == HP_FIX_ARM64_ADRP_ADD || ldst;
    unsigned max_modifier = x.kind == HP_FIX_REL32 || ldst ? 4 : 0;
    if (x.modifier > max_modifier)
        return hp_fail(err, HP_EFORMAT, "%s.%s at 0x%x: expected 0 to %u for kind %u, found %u", s,
                       ldst ? "access_shift" : "tail", at + 5, max_modifier, x.kind, x.modifier);
    if (pair ? x.pair_offset < 4 || x.pair_offset % 4 : x.pair_offset != 0)
        return hp_fail(err, HP_EFORMAT, "%s.pair_offset at 0x%x: expected %s, found %u", s, at + 6,
                       pair ? "a non-zero multiple of 4 (the next instruction or later)" : "0 for this kind",
                       x.pair_offset);
    int arm64 = pair || x.kind == HP_FIX_ARM64_BRANCH26;
    uint64_t end = (uint64_t) x.site_rva + (pair ? x.pair_offset + 4u : hp_fixup_width(t->machine, x.kind));
    if ((arm64 && x.site_rva % 4) || end > TWO_32)
        return hp_fail(err, HP_EFORMAT, "%s.site_rva at 0x%x: expected %sa site whose bytes end below 4 GB, found "
                       "0x%x", s, at, arm64 ? "a multiple of 4 (an ARM64 instruction) and " : "", x.site_rva);
    if (x.target_rva >= t->base_size_of_image)
        return hp_fail(err, HP_EFORMAT, "%s.target_rva at 0x%x: expected an RVA inside the base image (below "
                       "OriginalSizeOfImage 0x%x), found 0x%x", s, at + 8, t->base_size_of_image, x.target_rva);
    uint64_t alignment = ldst ? 1ull << x.modifier : x.kind == HP_FIX_ARM64_BRANCH26 ? 4 : 1;
    if ((((uint64_t) x.target_rva + (uint64_t) (int64_t) x.addend) & (alignment - 1)) != 0)
        return hp_fail(err, HP_EFORMAT, "%s.target_rva at 0x%x: expected TargetRva + Addend aligned to %llu bytes, "
                       "found 0x%x + %d", s, at + 8, (unsigned long long) alignment, x.target_rva, x.addend);
    if (hp_u32(t->bytes + at + 0x14))
        return hp_fail(err, HP_EFORMAT, "%s.reserved at 0x%x: expected 0, found 0x%x", s, at + 0x14,
                       hp_u32(t->bytes + at + 0x14));
    return name_ok(t, x.name, s, at + 0x10, err);
}

static int sorted_run(const hp_tables *t, uint32_t from, uint32_t to, hp_error *err) {
    for (uint32_t j = from + 1; j < to; j++) {
        uint32_t previous = hp_u32(t->bytes + t->fixup_offset + FX_LEN * (j - 1));
        uint32_t site = hp_u32(t->bytes + t->fixup_offset + FX_LEN * j);
        if (site < previous)
            return hp_fail(err, HP_EFORMAT, "fixup_record[%u].site_rva at 0x%x: expected fixups sorted by SiteRva "
                           "within their run (the previous one is at 0x%x), found 0x%x", j,
                           t->fixup_offset + FX_LEN * j, previous, site);
    }
    return HP_OK;
}

#define INDEX_BITS 21
#define INDEX_MASK ((1ull << INDEX_BITS) - 1)

/* Rule 8: no BaseRva twice, no two trampoline sites overlapping. */
static int functions_apart(const hp_tables *t, uint64_t *keys, hp_error *err) {
    uint32_t n = 0;
    hp_function f, g;
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_tables_function(t, i, &f);
        if (!(f.flags & HP_FN_NEW)) keys[n++] = (uint64_t) f.base_rva << INDEX_BITS | i;
    }
    hp_sort_u64(keys, n);
    for (uint32_t k = 1; k < n; k++)
        if (keys[k] >> INDEX_BITS == keys[k - 1] >> INDEX_BITS) {
            uint32_t i = (uint32_t) (keys[k] & INDEX_MASK);
            return hp_fail(err, HP_EFORMAT, "function_record[%u].base_rva at 0x%x: expected a base function no other"
                           " record replaces, found 0x%llx, also in function_record[%u]", i,
                           t->function_offset + FN_LEN * i, (unsigned long long) (keys[k] >> INDEX_BITS),
                           (unsigned) (keys[k - 1] & INDEX_MASK));
        }
    n = 0;
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_tables_function(t, i, &f);
        if (f.flags & HP_FN_REDIRECT) keys[n++] = (uint64_t) f.site_rva << INDEX_BITS | i;
    }
    hp_sort_u64(keys, n);
    for (uint32_t k = 1; k < n; k++) {
        uint32_t p = (uint32_t) (keys[k - 1] & INDEX_MASK), i = (uint32_t) (keys[k] & INDEX_MASK);
        hp_tables_function(t, p, &g);
        hp_tables_function(t, i, &f);
        if (f.site_rva < (uint64_t) g.site_rva + g.site_size)
            return hp_fail(err, HP_EFORMAT, "function_record[%u].site_rva at 0x%x: expected a site that no other "
                           "trampoline overwrites (function_record[%u]'s ends at 0x%llx), found 0x%x", i,
                           t->function_offset + FN_LEN * i + 0x10, p,
                           (unsigned long long) g.site_rva + g.site_size, f.site_rva);
    }
    return HP_OK;
}

#define RANGE_BITS 26
#define RANGE_MASK ((1ull << RANGE_BITS) - 1)

static int shared_adrp(const hp_tables *t, uint64_t a, uint64_t b) {
    if (a % 2 || b % 2) return 0;
    hp_fixup x, y;
    hp_tables_fixup(t, (uint32_t) (a / 2), &x);
    hp_tables_fixup(t, (uint32_t) (b / 2), &y);
    int xp = x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST;
    int yp = y.kind == HP_FIX_ARM64_ADRP_ADD || y.kind == HP_FIX_ARM64_ADRP_LDST;
    return xp && yp && x.site_rva == y.site_rva &&
           (((int64_t) x.target_rva + x.addend) >> 12) == (((int64_t) y.target_rva + y.addend) >> 12);
}

/* Rule 11: no byte written by two fixups, except an ADRP shared by pairs whose targets share a 4 KB page. */
static int writes_apart(const hp_tables *t, uint64_t *keys, hp_error *err) {
    uint32_t n = 0;
    hp_fixup x;
    for (uint32_t j = 0; j < t->fixup_count; j++) {
        hp_tables_fixup(t, j, &x);
        keys[n++] = (uint64_t) x.site_rva << RANGE_BITS | (uint64_t) j * 2;
        if (x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST)
            keys[n++] = ((uint64_t) x.site_rva + x.pair_offset) << RANGE_BITS | ((uint64_t) j * 2 + 1);
    }
    hp_sort_u64(keys, n);
    int64_t reach_end = -1;
    uint64_t reach_range = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t range = keys[k] & RANGE_MASK;
        int64_t start = (int64_t) (keys[k] >> RANGE_BITS);
        if (start < reach_end && !shared_adrp(t, reach_range, range)) {
            uint32_t j = (uint32_t) (range / 2);
            return hp_fail(err, HP_EFORMAT, "fixup_record[%u].site_rva at 0x%x: expected bytes no other fixup writes "
                           "(fixup_record[%u] writes up to 0x%llx), found 0x%llx%s", j, t->fixup_offset + FX_LEN * j,
                           (unsigned) (reach_range / 2), (unsigned long long) reach_end, (unsigned long long) start,
                           range % 2 ? " (its second instruction)" : "");
        }
        hp_tables_fixup(t, (uint32_t) (range / 2), &x);
        int64_t end = start + (range % 2 ? 4 : hp_fixup_width(t->machine, x.kind));
        if (end > reach_end) {
            reach_end = end;
            reach_range = range;
        }
    }
    return HP_OK;
}

int hp_tables_parse(hp_tables *t, const uint8_t *bytes, uint32_t available, hp_error *err) {
    hp_zero(t, sizeof *t);
    t->bytes = bytes;
    int rc;
    if ((rc = header(t, available, err))) return rc;
    if (bytes[t->string_offset] != 0)
        return hp_fail(err, HP_EFORMAT, "string_table.empty_string at 0x%x: expected 0 (the NUL of the empty string "
                       "at offset 0), found a non-zero byte", t->string_offset);
    if ((rc = base(t, err))) return rc;
    uint32_t next = 0;
    hp_function f, p;
    for (uint32_t i = 0; i < t->function_count; i++) {
        if ((rc = function(t, i, next, &f, err))) return rc;
        if (i > 0) {
            hp_tables_function(t, i - 1, &p);
            if (f.patch_rva < p.patch_rva || (f.patch_rva == p.patch_rva && f.base_rva <= p.base_rva))
                return hp_fail(err, HP_EFORMAT, "function_record[%u].patch_rva at 0x%x: expected records sorted by "
                               "PatchRva, then BaseRva, without repeats (the previous one is 0x%x/0x%x), found "
                               "0x%x/0x%x", i, t->function_offset + FN_LEN * i + 4, p.patch_rva, p.base_rva,
                               f.patch_rva, f.base_rva);
        }
        next += f.fixup_count;
    }
    t->data_fixups = next;
    uint64_t want = (uint64_t) t->fixup_count * 2 > t->function_count ? (uint64_t) t->fixup_count * 2
                                                                       : t->function_count;
    uint64_t *keys = want ? hp_alloc((size_t) want * sizeof *keys) : 0;
    if (want && !keys) return hp_fail(err, HP_ENOMEM, "no memory for %llu sort keys", (unsigned long long) want);
    rc = functions_apart(t, keys, err);
    for (uint32_t j = 0; !rc && j < t->fixup_count; j++) rc = fixup(t, j, err);
    for (uint32_t i = 0; !rc && i < t->function_count; i++) {
        hp_tables_function(t, i, &f);
        rc = sorted_run(t, f.first_fixup, f.first_fixup + f.fixup_count, err);
    }
    if (!rc) rc = sorted_run(t, next, t->fixup_count, err);
    if (!rc) rc = writes_apart(t, keys, err);
    hp_free(keys);
    return rc;
}
