/* PE headers of the patch file and of a base file: every field the engine uses is bounds-checked first. */
#include "hp_core.h"

#define E_LFANEW 0x3C
#define COFF_SIZE 20

static int bad(hp_error *err, const char *field, uint64_t offset, const char *expected, const char *found_fmt,
               uint64_t found) {
    char found_text[64];
    hp_format(found_text, sizeof found_text, found_fmt, (unsigned long long) found);
    return hp_fail(err, HP_EFORMAT, "%s at 0x%llx: expected %s, found %s", field, (unsigned long long) offset,
                   expected, found_text);
}

static int parse(hp_pe *pe, const uint8_t *file, size_t size, int mapped, hp_error *err);

int hp_pe_parse(hp_pe *pe, const uint8_t *file, size_t size, hp_error *err) {
    return parse(pe, file, size, 0, err);
}

int hp_pe_parse_mapped(hp_pe *pe, const uint8_t *headers, size_t len, hp_error *err) {
    return parse(pe, headers, len, 1, err);
}

static int parse(hp_pe *pe, const uint8_t *file, size_t size, int mapped, hp_error *err) {
    hp_zero(pe, sizeof *pe);
    pe->mapped = mapped;
    pe->file = file;
    pe->size = size;
    if (size < 0x40 || file[0] != 'M' || file[1] != 'Z')
        return bad(err, "dos_header.e_magic", 0, "\"MZ\" and at least 64 bytes", "0x%llx bytes", size);
    uint32_t nt = hp_u32(file + E_LFANEW);
    if ((uint64_t) nt + 4 + COFF_SIZE > size)
        return bad(err, "dos_header.e_lfanew", E_LFANEW, "an offset whose PE headers lie in the file", "0x%llx", nt);
    if (hp_u32(file + nt) != 0x00004550)
        return bad(err, "nt_headers.signature", nt, "\"PE\\0\\0\"", "0x%llx", hp_u32(file + nt));
    pe->nt = nt;
    const uint8_t *coff = file + nt + 4;
    pe->machine = hp_u16(coff);
    if (pe->machine != HP_MACHINE_I386 && pe->machine != HP_MACHINE_AMD64 && pe->machine != HP_MACHINE_ARM64)
        return bad(err, "file_header.machine", nt + 4, "0x14c, 0x8664 or 0xaa64", "0x%llx", pe->machine);
    pe->section_count = hp_u16(coff + 2);
    pe->time_date_stamp = hp_u32(coff + 4);
    uint16_t optional_size = hp_u16(coff + 16);
    pe->characteristics = hp_u16(coff + 18);
    if (pe->section_count > HP_MAX_SECTIONS)
        return bad(err, "file_header.number_of_sections", nt + 6, "at most 96", "%llu", pe->section_count);
    pe->opt = nt + 4 + COFF_SIZE;
    if ((uint64_t) pe->opt + optional_size > size || optional_size < 2)
        return bad(err, "file_header.size_of_optional_header", nt + 20, "an optional header inside the file",
                   "0x%llx", optional_size);
    const uint8_t *o = file + pe->opt;
    uint16_t magic = hp_u16(o);
    int want_plus = pe->machine != HP_MACHINE_I386;
    if (magic != (want_plus ? 0x20b : 0x10b))
        return bad(err, "optional_header.magic", pe->opt, want_plus ? "0x20b (PE32+) for this machine"
                   : "0x10b (PE32) for this machine", "0x%llx", magic);
    pe->pe32plus = want_plus;
    uint32_t fixed = want_plus ? 112 : 96;
    if (optional_size < fixed)
        return bad(err, "file_header.size_of_optional_header", nt + 20, want_plus ? "at least 112" : "at least 96",
                   "%llu", optional_size);
    pe->image_base = want_plus ? hp_u64(o + 24) : hp_u32(o + 28);
    pe->section_alignment = hp_u32(o + 32);
    pe->file_alignment = hp_u32(o + 36);
    pe->size_of_image = hp_u32(o + 56);
    pe->size_of_headers = hp_u32(o + 60);
    pe->check_sum = hp_u32(o + 64);
    uint32_t count = hp_u32(o + (want_plus ? 108 : 92));
    if (count > 16) count = 16; /* the loader reads at most 16 */
    if ((uint64_t) fixed + 8ull * count > optional_size)
        return bad(err, "optional_header.number_of_rva_and_sizes", pe->opt + (want_plus ? 108 : 92),
                   "directories that fit in SizeOfOptionalHeader", "%llu", count);
    pe->directory_count = count;
    for (uint32_t i = 0; i < count; i++) {
        pe->dir_rva[i] = hp_u32(o + fixed + 8 * i);
        pe->dir_size[i] = hp_u32(o + fixed + 8 * i + 4);
    }
    if (pe->section_alignment < 0x200 || (pe->section_alignment & (pe->section_alignment - 1)))
        return bad(err, "optional_header.section_alignment", pe->opt + 32, "a power of two of at least 0x200",
                   "0x%llx", pe->section_alignment);
    pe->section_table = pe->opt + optional_size;
    uint64_t table_end = (uint64_t) pe->section_table + 40ull * pe->section_count;
    if (table_end > size || table_end > pe->size_of_headers || pe->size_of_headers > pe->size_of_image ||
        (!mapped && pe->size_of_headers > size))
        return bad(err, "optional_header.size_of_headers", pe->opt + 60,
                   "headers that hold the section table and lie in the file and the image", "0x%llx",
                   pe->size_of_headers);
    uint64_t previous_end = pe->size_of_headers;
    for (unsigned i = 0; i < pe->section_count; i++) {
        hp_section s;
        hp_pe_section(pe, i, &s);
        uint64_t at = pe->section_table + 40ull * i;
        if (!mapped && s.raw_size && (uint64_t) s.raw_offset + s.raw_size > size)
            return bad(err, "section_header.pointer_to_raw_data", at + 20, "raw bytes inside the file", "0x%llx",
                       (uint64_t) s.raw_offset + s.raw_size);
        uint64_t extent = s.virtual_size ? s.virtual_size : s.raw_size;
        if (s.rva < previous_end || s.rva + extent > pe->size_of_image)
            return bad(err, "section_header.virtual_address", at + 12,
                       "sections sorted by RVA, not overlapping, inside SizeOfImage", "0x%llx", s.rva);
        previous_end = s.rva + extent;
    }
    return HP_OK;
}

void hp_pe_section(const hp_pe *pe, unsigned i, hp_section *s) {
    const uint8_t *h = pe->file + pe->section_table + 40u * i;
    for (int k = 0; k < 8; k++) s->name[k] = (char) h[k];
    s->name[8] = 0;
    s->virtual_size = hp_u32(h + 8);
    s->rva = hp_u32(h + 12);
    s->raw_size = hp_u32(h + 16);
    s->raw_offset = hp_u32(h + 20);
    s->characteristics = hp_u32(h + 36);
}

int64_t hp_pe_file_offset(const hp_pe *pe, uint32_t rva, uint32_t len) {
    if (pe->mapped) return -1;
    uint64_t end = (uint64_t) rva + len;
    if (end <= pe->size_of_headers && end <= pe->size) return rva;
    for (unsigned i = 0; i < pe->section_count; i++) {
        hp_section s;
        hp_pe_section(pe, i, &s);
        uint32_t backed = s.raw_size;
        if (s.virtual_size && s.virtual_size < backed) backed = s.virtual_size;
        if (rva >= s.rva && end <= (uint64_t) s.rva + backed) return (int64_t) s.raw_offset + (rva - s.rva);
    }
    return -1;
}

int hp_pe_section_of(const hp_pe *pe, uint32_t rva, uint32_t len) {
    uint64_t end = (uint64_t) rva + len;
    for (unsigned i = 0; i < pe->section_count; i++) {
        hp_section s;
        hp_pe_section(pe, i, &s);
        uint32_t extent = s.virtual_size > s.raw_size ? s.virtual_size : s.raw_size;
        if (rva >= s.rva && end <= (uint64_t) s.rva + extent) return (int) i;
    }
    return -1;
}

int hp_pe_hotpatch_tables(const hp_pe *pe, const uint8_t **tables, uint32_t *available, uint32_t *tables_rva,
                          hp_error *err) {
    if (pe->mapped) return hp_fail(err, HP_EFORMAT, "the hot-patch tables are read from the patch file");
    uint32_t field = pe->pe32plus ? 0xF0 : 0x94;
    if (pe->directory_count <= HP_DIR_LOAD_CONFIG || pe->dir_rva[HP_DIR_LOAD_CONFIG] == 0)
        return hp_fail(err, HP_EFORMAT, "the patch has no load config directory, so no hot-patch tables");
    uint32_t rva = pe->dir_rva[HP_DIR_LOAD_CONFIG];
    int64_t at = hp_pe_file_offset(pe, rva, field + 4);
    if (at < 0)
        return hp_fail(err, HP_EFORMAT, "load_config at rva 0x%x: expected 0x%x bytes in one section's file-backed "
                       "bytes, found fewer", rva, field + 4);
    uint32_t lc_size = hp_u32(pe->file + at);
    if (lc_size < field + 4)
        return hp_fail(err, HP_EFORMAT, "load_config.size at rva 0x%x: expected at least 0x%x (past "
                       "HotPatchTableOffset), found 0x%x", rva, field + 4, lc_size);
    uint32_t hpt = hp_u32(pe->file + at + field);
    if (hpt == 0)
        return hp_fail(err, HP_EFORMAT, "load_config.hot_patch_table_offset at rva 0x%x: expected the RVA of "
                       "HPATCH_HEADER, found 0", rva + field);
    for (unsigned i = 0; i < pe->section_count; i++) {
        hp_section s;
        hp_pe_section(pe, i, &s);
        uint32_t backed = s.raw_size;
        if (s.virtual_size && s.virtual_size < backed) backed = s.virtual_size;
        if (hpt >= s.rva && (uint64_t) hpt + 64 <= (uint64_t) s.rva + backed) {
            *tables = pe->file + s.raw_offset + (hpt - s.rva);
            *available = backed - (hpt - s.rva);
            *tables_rva = hpt;
            return HP_OK;
        }
    }
    return hp_fail(err, HP_EFORMAT, "load_config.hot_patch_table_offset at rva 0x%x: expected an RVA with 64 "
                   "file-backed bytes of one section, found 0x%x", rva + field, hpt);
}

int hp_canonical_form(const hp_pe *pe, void (*update)(void *, const uint8_t *, size_t), void *ctx, hp_error *err) {
    uint64_t length = pe->size;
    uint64_t gaps[3][2];
    int n = 0;
    uint64_t checksum = pe->opt + 64;
    gaps[n][0] = checksum; gaps[n][1] = checksum + 4; n++;
    int has_table = 0;
    if (pe->directory_count > HP_DIR_CERTIFICATE) {
        uint64_t entry = pe->opt + (pe->pe32plus ? 112 : 96) + 8 * HP_DIR_CERTIFICATE;
        gaps[n][0] = entry; gaps[n][1] = entry + 8; n++;
        uint32_t va = pe->dir_rva[HP_DIR_CERTIFICATE], sz = pe->dir_size[HP_DIR_CERTIFICATE];
        if (va && sz) {
            if ((uint64_t) va + sz > length)
                return hp_fail(err, HP_EFORMAT, "certificate table at file offset 0x%x: expected 0x%x bytes inside "
                               "the file (0x%llx bytes), found it past the end", va, sz, (unsigned long long) length);
            gaps[n][0] = va; gaps[n][1] = (uint64_t) va + sz; n++;
            has_table = 1;
        }
    }
    /* sort the (at most 3) gaps by start and clip them to the file */
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            if (gaps[k][0] < gaps[i][0]) {
                uint64_t a = gaps[i][0], b = gaps[i][1];
                gaps[i][0] = gaps[k][0]; gaps[i][1] = gaps[k][1];
                gaps[k][0] = a; gaps[k][1] = b;
            }
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        uint64_t start = gaps[i][0] < length ? gaps[i][0] : length;
        uint64_t end = gaps[i][1] < length ? gaps[i][1] : length;
        if (start > at) update(ctx, pe->file + at, (size_t) (start - at));
        if (end > at) at = end;
    }
    if (length > at) update(ctx, pe->file + at, (size_t) (length - at));
    if (!has_table) {
        static const uint8_t zeros[8];
        size_t pad = (size_t) ((8 - (length & 7)) & 7);
        if (pad) update(ctx, zeros, pad);
    }
    return HP_OK;
}
