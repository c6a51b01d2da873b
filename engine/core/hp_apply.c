/*
 * The engine's computations on a mapped patch (docs/format.md 4, 5, 6 and steps 5 and 6 of section 7): lay the
 * patch out, apply its own base relocations, fill each fixup, compute each trampoline, check reach and the
 * ARM64 instruction classes. The memory is a plain buffer: the engine passes the patch mapped in the target
 * process, the Linux driver a heap buffer standing for it.
 */
#include "hp_core.h"

#define TWO_31 (1ll << 31)
#define TWO_32 (1ll << 32)
#define TWO_27 (1ll << 27)

static const char *name_of(const hp_tables *t, uint32_t off) { return hp_tables_name(t, off); }

int hp_check_patch_image(const hp_pe *patch, const hp_tables *t, hp_error *err) {
    if (patch->machine != t->machine)
        return hp_fail(err, HP_EFORMAT, "file_header.machine: expected HPATCH_BASE.Machine 0x%x, found 0x%x (rule 12)",
                       t->machine, patch->machine);
    hp_function f;
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_tables_function(t, i, &f);
        int s = hp_pe_section_of(patch, f.patch_rva, f.patch_size);
        hp_section sec;
        if (s >= 0) hp_pe_section(patch, (unsigned) s, &sec);
        if (s < 0 || !(sec.characteristics & HP_SCN_MEM_EXECUTE))
            return hp_fail(err, HP_EFORMAT, "function_record[%u].patch_rva: expected function %s [0x%x, +0x%x) inside "
                           "an executable section of the patch, found it outside (rule 13)", i,
                           name_of(t, f.name), f.patch_rva, f.patch_size);
    }
    hp_fixup x;
    for (uint32_t j = 0; j < t->fixup_count; j++) {
        hp_tables_fixup(t, j, &x);
        int pair = x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST;
        uint32_t width = hp_fixup_width(t->machine, x.kind);
        if (hp_pe_section_of(patch, x.site_rva, width) < 0 ||
            (pair && hp_pe_section_of(patch, x.site_rva + x.pair_offset, 4) < 0))
            return hp_fail(err, HP_EFORMAT, "fixup_record[%u].site_rva: expected the bytes of the fixup for %s at 0x%x "
                           "inside the patch's sections, found them outside (rule 13)", j, name_of(t, x.name),
                           x.site_rva);
    }
    return HP_OK;
}

int hp_check_sites(const hp_pe *base, const hp_tables *t, hp_error *err) {
    hp_function f;
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_tables_function(t, i, &f);
        if (!(f.flags & HP_FN_REDIRECT)) continue;
        int ok = 0;
        for (unsigned k = 0; k < base->section_count && !ok; k++) {
            hp_section s;
            hp_pe_section(base, k, &s);
            uint32_t extent = s.virtual_size ? s.virtual_size : s.raw_size;
            ok = (s.characteristics & HP_SCN_MEM_EXECUTE) && f.site_rva >= s.rva &&
                 (uint64_t) f.site_rva + f.site_size <= (uint64_t) s.rva + extent;
        }
        if (!ok)
            return hp_fail(err, HP_EFORMAT, "function_record[%u].site_rva: expected the trampoline site of function %s "
                           "[0x%x, +%u) inside an executable section of the base, found it outside (rule 13)", i,
                           name_of(t, f.name), f.site_rva, f.site_size);
    }
    return HP_OK;
}

int hp_map_sections(const hp_pe *patch, uint8_t *mem, size_t mem_size, hp_error *err) {
    if (mem_size < patch->size_of_image)
        return hp_fail(err, HP_EFORMAT, "the mapping holds 0x%llx bytes, the patch's SizeOfImage is 0x%x",
                       (unsigned long long) mem_size, patch->size_of_image);
    hp_copy(mem, patch->file, patch->size_of_headers);
    for (unsigned i = 0; i < patch->section_count; i++) {
        hp_section s;
        hp_pe_section(patch, i, &s);
        uint32_t n = s.raw_size;
        if (s.virtual_size && s.virtual_size < n) n = s.virtual_size;
        if ((uint64_t) s.rva + n > patch->size_of_image)
            return hp_fail(err, HP_EFORMAT, "section_header[%u] (%s): expected raw bytes inside SizeOfImage 0x%x, found "
                           "0x%x bytes at rva 0x%x", i, s.name, patch->size_of_image, n, s.rva);
        hp_copy(mem + s.rva, patch->file + s.raw_offset, n);
    }
    return HP_OK;
}

int hp_map_relocate(const hp_pe *patch, uint8_t *mem, size_t mem_size, uint64_t patch_load, hp_error *err) {
    if (patch->directory_count <= HP_DIR_BASERELOC || !patch->dir_rva[HP_DIR_BASERELOC]) return HP_OK;
    uint32_t at = patch->dir_rva[HP_DIR_BASERELOC], size = patch->dir_size[HP_DIR_BASERELOC];
    if ((uint64_t) at + size > mem_size || (uint64_t) at + size > patch->size_of_image)
        return hp_fail(err, HP_EFORMAT, "data_directory[5] (base relocations): expected 0x%x bytes at rva 0x%x inside "
                       "the image (0x%x bytes), found them past its end", size, at, patch->size_of_image);
    uint64_t delta = patch_load - patch->image_base;
    uint32_t end = at + size;
    while (at < end) {
        if (end - at < 8)
            return hp_fail(err, HP_EFORMAT, "base_relocation block at rva 0x%x: expected an 8-byte header, found %u bytes",
                           at, end - at);
        uint32_t page = hp_u32(mem + at), block = hp_u32(mem + at + 4);
        if (block < 8 || block % 2 || block > end - at)
            return hp_fail(err, HP_EFORMAT, "base_relocation block at rva 0x%x: expected a SizeOfBlock of 8 to 0x%x, even,"
                           " found 0x%x", at, end - at, block);
        for (uint32_t e = at + 8; e < at + block; e += 2) {
            uint16_t entry = hp_u16(mem + e);
            unsigned type = entry >> 12;
            uint64_t site = (uint64_t) page + (entry & 0xFFF);
            if (type == 0) continue;
            unsigned width = type == 10 ? 8 : type == 3 ? 4 : 0;
            if (!width || (width == 8) != (patch->pe32plus != 0))
                return hp_fail(err, HP_EFORMAT, "base_relocation entry at rva 0x%x: expected type %s, found %u", e,
                               patch->pe32plus ? "DIR64 (10) or ABSOLUTE (0)" : "HIGHLOW (3) or ABSOLUTE (0)", type);
            if (site + width > patch->size_of_image || hp_pe_section_of(patch, (uint32_t) site, width) < 0)
                return hp_fail(err, HP_EFORMAT, "base_relocation entry at rva 0x%x: expected a site inside a section, "
                               "found 0x%llx", e, (unsigned long long) site);
            if (width == 8) hp_put64(mem + site, hp_u64(mem + site) + delta);
            else hp_put32(mem + site, hp_u32(mem + site) + (uint32_t) delta);
        }
        at += block;
    }
    return HP_OK;
}

/* ---- fixups ------------------------------------------------------------------------------------------- */

static int adrp_word(uint32_t *insn, uint64_t s, uint64_t target, int64_t *delta_out) {
    int64_t delta = (int64_t) ((target & ~0xFFFull) - (s & ~0xFFFull));
    *delta_out = delta;
    if (delta < -TWO_32 || delta >= TWO_32) return HP_EREACH;
    int64_t pages = delta >> 12;
    uint32_t immlo = (uint32_t) (pages & 0x3), immhi = (uint32_t) ((pages >> 2) & 0x7FFFF);
    *insn = (*insn & 0x9F00001Fu) | immlo << 29 | immhi << 5;
    return HP_OK;
}

/* The scale of an LDR/STR (unsigned offset): size, or 4 for a 128-bit SIMD&FP access. */
static unsigned ldst_scale(uint32_t insn) {
    unsigned size = insn >> 30;
    if (insn & (1u << 26)) return (insn & (1u << 23)) ? 4 : size;
    return size;
}

/* Computes the bytes a fixup writes from the bytes there now (cur: the site, pair: the pair instruction);
 * writes them into out / out_pair. */
static int compute(uint16_t machine, const hp_tables *t, uint32_t j, const hp_fixup *x, uint64_t patch_load,
                   uint64_t base_load, const uint8_t *cur, const uint8_t *pair, uint8_t *out, uint8_t *out_pair,
                   hp_error *err) {
    uint64_t s = patch_load + x->site_rva;
    uint64_t target = base_load + x->target_rva + (uint64_t) (int64_t) x->addend;
    const char *what = name_of(t, x->name);
    if (machine == HP_MACHINE_I386) {
        s = (uint32_t) s;
        target = (uint32_t) target;
    }
    switch (x->kind) {
    case HP_FIX_X86_ABS32:
        hp_put32(out, (uint32_t) target);
        return HP_OK;
    case HP_FIX_X64_ABS64:
        hp_put64(out, target);
        return HP_OK;
    case HP_FIX_INDIRECT:
        if (machine == HP_MACHINE_I386) hp_put32(out, (uint32_t) target);
        else hp_put64(out, target);
        return HP_OK;
    case HP_FIX_REL32: {
        int64_t v = (int64_t) (target - (s + 4 + x->modifier));
        if (machine == HP_MACHINE_AMD64 && (v < -TWO_31 || v >= TWO_31))
            return hp_fail(err, HP_EREACH, "fixup_record[%u] (%s): REL32 at 0x%llx does not reach 0x%llx (distance "
                           "%lld, beyond +-2 GB)", j, what, (unsigned long long) s, (unsigned long long) target, v);
        hp_put32(out, (uint32_t) v);
        return HP_OK;
    }
    case HP_FIX_ARM64_BRANCH26: {
        uint32_t insn = hp_u32(cur);
        if ((insn & 0x7C000000u) != 0x14000000u)
            return hp_fail(err, HP_ECLASS, "fixup_record[%u] (%s): expected B or BL at patch rva 0x%x, found 0x%x "
                           "(rule 14)", j, what, x->site_rva, insn);
        int64_t delta = (int64_t) (target - s);
        if (delta % 4 || delta < -TWO_27 || delta >= TWO_27)
            return hp_fail(err, HP_EREACH, "fixup_record[%u] (%s): BRANCH26 at 0x%llx does not reach 0x%llx (distance "
                           "%lld, beyond +-128 MB)", j, what, (unsigned long long) s, (unsigned long long) target,
                           delta);
        hp_put32(out, (insn & 0xFC000000u) | ((uint32_t) (delta >> 2) & 0x3FFFFFFu));
        return HP_OK;
    }
    case HP_FIX_ARM64_ADRP_ADD:
    case HP_FIX_ARM64_ADRP_LDST: {
        uint32_t adrp = hp_u32(cur), second = hp_u32(pair);
        if ((adrp & 0x9F000000u) != 0x90000000u)
            return hp_fail(err, HP_ECLASS, "fixup_record[%u] (%s): expected ADRP at patch rva 0x%x, found 0x%x "
                           "(rule 14)", j, what, x->site_rva, adrp);
        unsigned shift = 0;
        if (x->kind == HP_FIX_ARM64_ADRP_ADD) {
            if ((second & 0x7FC00000u) != 0x11000000u)
                return hp_fail(err, HP_ECLASS, "fixup_record[%u] (%s): expected ADD (immediate) at patch rva 0x%x, "
                               "found 0x%x (rule 14)", j, what, x->site_rva + x->pair_offset, second);
        } else {
            if ((second & 0x3B000000u) != 0x39000000u || ldst_scale(second) != x->modifier)
                return hp_fail(err, HP_ECLASS, "fixup_record[%u] (%s): expected LDR/STR (unsigned offset) of access "
                               "shift %u at patch rva 0x%x, found 0x%x (rule 14)", j, what, x->modifier,
                               x->site_rva + x->pair_offset, second);
            shift = x->modifier;
            if (target & ((1ull << shift) - 1))
                return hp_fail(err, HP_ECLASS, "fixup_record[%u] (%s): target 0x%llx is not aligned to the access "
                               "size %u", j, what, (unsigned long long) target, 1u << shift);
        }
        int64_t delta;
        if (adrp_word(&adrp, s, target, &delta))
            return hp_fail(err, HP_EREACH, "fixup_record[%u] (%s): ADRP at 0x%llx does not reach page 0x%llx "
                           "(distance %lld, beyond +-4 GB)", j, what, (unsigned long long) s,
                           (unsigned long long) (target & ~0xFFFull), delta);
        uint32_t imm12 = (uint32_t) ((target & 0xFFF) >> shift);
        hp_put32(out, adrp);
        hp_put32(out_pair, (second & 0xFFC003FFu) | imm12 << 10);
        return HP_OK;
    }
    default:
        return hp_fail(err, HP_EFORMAT, "fixup_record[%u].kind: unknown kind %u", j, x->kind);
    }
}

int hp_apply_fixup(uint16_t machine, const hp_tables *t, uint32_t j, uint8_t *mem, size_t mem_size,
                   uint64_t patch_load, uint64_t base_load, hp_error *err) {
    hp_fixup x;
    hp_tables_fixup(t, j, &x);
    int pair = x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST;
    uint32_t width = hp_fixup_width(machine, x.kind);
    if ((uint64_t) x.site_rva + (pair ? x.pair_offset + 4u : width) > mem_size)
        return hp_fail(err, HP_EFORMAT, "fixup_record[%u].site_rva: 0x%x is outside the mapped patch (0x%llx bytes)",
                       j, x.site_rva, (unsigned long long) mem_size);
    uint8_t out[8], out_pair[4];
    int rc = compute(machine, t, j, &x, patch_load, base_load, mem + x.site_rva,
                     pair ? mem + x.site_rva + x.pair_offset : 0, out, out_pair, err);
    if (rc) return rc;
    hp_copy(mem + x.site_rva, out, width);
    if (pair) hp_copy(mem + x.site_rva + x.pair_offset, out_pair, 4);
    return HP_OK;
}

int hp_fixup_bytes(uint16_t machine, const hp_tables *t, uint32_t j, const uint8_t *mem, size_t mem_size,
                   uint64_t patch_load, uint64_t base_load, uint8_t out[8], uint8_t out_pair[4], hp_error *err) {
    hp_fixup x;
    hp_tables_fixup(t, j, &x);
    int pair = x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST;
    uint32_t width = hp_fixup_width(machine, x.kind);
    if ((uint64_t) x.site_rva + (pair ? x.pair_offset + 4u : width) > mem_size)
        return hp_fail(err, HP_EFORMAT, "fixup_record[%u].site_rva: 0x%x is outside the mapped patch (0x%llx bytes)",
                       j, x.site_rva, (unsigned long long) mem_size);
    return compute(machine, t, j, &x, patch_load, base_load, mem + x.site_rva,
                   pair ? mem + x.site_rva + x.pair_offset : 0, out, out_pair, err);
}

int hp_apply_fixups(uint16_t machine, const hp_tables *t, uint8_t *mem, size_t mem_size, uint64_t patch_load,
                    uint64_t base_load, hp_error *err) {
    for (uint32_t j = 0; j < t->fixup_count; j++) {
        int rc = hp_apply_fixup(machine, t, j, mem, mem_size, patch_load, base_load, err);
        if (rc) return rc;
    }
    return HP_OK;
}

/* ---- trampolines and reach ---------------------------------------------------------------------------- */

int hp_trampoline(uint16_t machine, const hp_tables *t, uint32_t i, uint64_t base_load, uint64_t patch_load,
                  uint8_t out[16], hp_error *err) {
    hp_function f;
    hp_tables_function(t, i, &f);
    hp_zero(out, 16);
    if (!(f.flags & HP_FN_REDIRECT))
        return hp_fail(err, HP_EFORMAT, "function_record[%u] (%s) has no trampoline", i, name_of(t, f.name));
    uint64_t b = base_load + f.base_rva, p = patch_load + f.patch_rva;
    if (machine == HP_MACHINE_ARM64) {
        int64_t delta = (int64_t) (p - b);
        if (delta % 4 || delta < -TWO_27 || delta >= TWO_27)
            return hp_fail(err, HP_EREACH, "function %s: the trampoline B at 0x%llx does not reach 0x%llx (distance "
                           "%lld, beyond +-128 MB or not a multiple of 4)", name_of(t, f.name),
                           (unsigned long long) b, (unsigned long long) p, delta);
        hp_put32(out, 0x14000000u | ((uint32_t) (delta >> 2) & 0x3FFFFFFu));
        return HP_OK;
    }
    int hop = (f.flags & HP_FN_HOP) != 0;
    uint64_t end = hop ? b : b + 5; /* where the E9 jump ends */
    int64_t rel = (int64_t) (p - end);
    if (machine == HP_MACHINE_I386) rel = (int32_t) (uint32_t) rel;
    else if (rel < -TWO_31 || rel >= TWO_31)
        return hp_fail(err, HP_EREACH, "function %s: the trampoline jump at 0x%llx does not reach 0x%llx (distance "
                       "%lld, beyond +-2 GB)", name_of(t, f.name), (unsigned long long) b, (unsigned long long) p, rel);
    out[0] = 0xE9;
    hp_put32(out + 1, (uint32_t) rel);
    if (hop) {
        out[5] = 0xEB;
        out[6] = 0xF9;
    }
    return HP_OK;
}

int hp_check_reach(uint16_t machine, const hp_tables *t, uint64_t base_load, uint64_t patch_load, hp_error *err) {
    uint8_t out[16];
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_function f;
        hp_tables_function(t, i, &f);
        if (!(f.flags & HP_FN_REDIRECT)) continue;
        int rc = hp_trampoline(machine, t, i, base_load, patch_load, out, err);
        if (rc) return rc;
    }
    for (uint32_t j = 0; j < t->fixup_count; j++) {
        hp_fixup x;
        hp_tables_fixup(t, j, &x);
        /* instruction words that pass the class checks, so that only reach is tested here */
        uint8_t cur[8], pair[4], o[8], op[4];
        hp_put32(cur, x.kind == HP_FIX_ARM64_BRANCH26 ? 0x14000000u : 0x90000000u);
        hp_put32(pair, x.kind == HP_FIX_ARM64_ADRP_ADD ? 0x11000000u : 0x39000000u | (uint32_t) x.modifier << 30);
        if (x.kind == HP_FIX_ARM64_ADRP_LDST && x.modifier == 4) hp_put32(pair, 0x3D800000u);
        int rc = compute(machine, t, j, &x, patch_load, base_load, cur, pair, o, op, err);
        if (rc == HP_EREACH) return rc;
    }
    return HP_OK;
}

int hp_check_identity(const hp_tables *t, uint32_t time_date_stamp, uint32_t check_sum, uint32_t size_of_image,
                      const uint8_t sha256[32], hp_error *err) {
    const char *base = name_of(t, t->base_name);
    if (t->base_time_date_stamp != time_date_stamp)
        return hp_fail(err, HP_EBASE, "the patch is for another build of %s: hpatch_base.original_time_date_stamp is "
                       "0x%x, the loaded module's TimeDateStamp is 0x%x", base, t->base_time_date_stamp,
                       time_date_stamp);
    if (t->base_check_sum != check_sum)
        return hp_fail(err, HP_EBASE, "the patch is for another build of %s: hpatch_base.original_check_sum is 0x%x, "
                       "the loaded module's CheckSum is 0x%x", base, t->base_check_sum, check_sum);
    if (t->base_size_of_image != size_of_image)
        return hp_fail(err, HP_EBASE, "the patch is for another build of %s: hpatch_base.original_size_of_image is "
                       "0x%x, the loaded module's SizeOfImage is 0x%x", base, t->base_size_of_image, size_of_image);
    if (!hp_equal(t->base_sha256, sha256, 32))
        return hp_fail(err, HP_EBASE, "the patch is for another build of %s: hpatch_base.sha256 differs from the "
                       "canonical SHA-256 of the module's file", base);
    return HP_OK;
}
