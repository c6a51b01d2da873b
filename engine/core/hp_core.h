/*
 * The portable core of the live apply engine (docs/format.md): the PE header reader, the hot-patch tables
 * reader with every rule of section 2.7, the patch image's layout and base relocations, fixups (section 4),
 * trampolines (section 5), reach (section 6) and the canonical form of the base (section 3).
 *
 * It reads untrusted bytes and makes no operating-system call: the same sources build into hpengine.dll for
 * Windows and into the Linux unit tests, the libFuzzer harnesses and the comparison driver. The only things it
 * needs from its host are hp_alloc and hp_free (declared below, defined by the host).
 *
 * Every function that can fail returns HP_OK (0) or an HP_E* code and fills an hp_error with one sentence naming
 * the structure, the field, its offset and the expected and found values, in the style of the Java reader:
 * "function_record[2].flags at 0xcc: expected only the bits 0x7 (REDIRECT, NEW, HOP), found 0x10".
 */
#ifndef HP_CORE_H
#define HP_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HP_OK = 0,
    HP_EFORMAT = 1, /* malformed PE headers or hot-patch tables: a rule of docs/format.md is broken */
    HP_EREACH = 2,  /* a fixup or trampoline does not reach its target from where the images are */
    HP_ECLASS = 3,  /* an ARM64 instruction a fixup completes is not of the class its kind names */
    HP_EBASE = 4,   /* the patch is for another base image */
    HP_ENOMEM = 5
};

typedef struct hp_error {
    int code;
    char text[600];
} hp_error;

/* Fills err (code and formatted text, truncated to fit) and returns code. Formats: %s %u %d %x %llx %llu %lld %c %%. */
int hp_fail(hp_error *err, int code, const char *fmt, ...);
/* vsnprintf-like formatter with the same directives; always NUL-terminates; returns the length written. */
size_t hp_vformat(char *out, size_t cap, const char *fmt, va_list ap);
size_t hp_format(char *out, size_t cap, const char *fmt, ...);

/* Provided by the host (malloc/free on Linux, HeapAlloc/HeapFree in the engine). */
void *hp_alloc(size_t size);
void hp_free(void *p);

uint16_t hp_u16(const uint8_t *p);
uint32_t hp_u32(const uint8_t *p);
uint64_t hp_u64(const uint8_t *p);
void hp_put32(uint8_t *p, uint32_t v);
void hp_put64(uint8_t *p, uint64_t v);
void hp_copy(void *dst, const void *src, size_t n);
void hp_zero(void *dst, size_t n);
int hp_equal(const void *a, const void *b, size_t n);
/* Sorts n 64-bit keys ascending, in place (heap sort: no recursion, no allocation). */
void hp_sort_u64(uint64_t *keys, size_t n);

/* ---- PE headers (the patch file, or a base file) --------------------------------------------------------- */

#define HP_MACHINE_I386 0x14c
#define HP_MACHINE_AMD64 0x8664
#define HP_MACHINE_ARM64 0xaa64

#define HP_MAX_SECTIONS 96

enum {
    HP_DIR_EXPORT = 0, HP_DIR_IMPORT = 1, HP_DIR_EXCEPTION = 3, HP_DIR_CERTIFICATE = 4, HP_DIR_BASERELOC = 5,
    HP_DIR_LOAD_CONFIG = 10, HP_DIR_IAT = 12
};

typedef struct hp_section {
    char name[9];
    uint32_t virtual_size, rva, raw_size, raw_offset, characteristics;
} hp_section;

#define HP_SCN_MEM_EXECUTE 0x20000000u
#define HP_SCN_MEM_READ 0x40000000u
#define HP_SCN_MEM_WRITE 0x80000000u

typedef struct hp_pe {
    const uint8_t *file; /* the bytes as laid out in a file */
    size_t size;
    uint32_t nt;          /* e_lfanew */
    uint32_t opt;         /* file offset of the optional header */
    uint16_t machine, section_count, characteristics;
    int pe32plus;
    uint32_t time_date_stamp, check_sum, size_of_image, size_of_headers, section_alignment, file_alignment;
    uint64_t image_base;
    uint32_t directory_count; /* NumberOfRvaAndSizes, at most 16 */
    uint32_t dir_rva[16], dir_size[16];
    uint32_t section_table; /* file offset */
    int mapped;             /* parsed from a mapped image's headers: no raw bytes to read */
} hp_pe;

/*
 * Reads and checks the headers: MZ and PE signatures, e_lfanew, a known Machine, an optional header of the kind
 * the machine needs, the data directories, the section table inside the file and SizeOfHeaders, every section's
 * raw bytes inside the file, sections sorted by RVA without overlap and inside SizeOfImage.
 */
int hp_pe_parse(hp_pe *pe, const uint8_t *file, size_t size, hp_error *err);
/*
 * The same checks on the headers of a mapped image (a loaded module: its first SizeOfHeaders bytes, len of
 * them readable), leaving out the ones about raw bytes in a file. Only the header fields and the section table
 * may be used afterwards.
 */
int hp_pe_parse_mapped(hp_pe *pe, const uint8_t *headers, size_t len, hp_error *err);
void hp_pe_section(const hp_pe *pe, unsigned i, hp_section *s);
/* The file offset of [rva, rva + len) when it lies inside one section's file-backed bytes; else -1. */
int64_t hp_pe_file_offset(const hp_pe *pe, uint32_t rva, uint32_t len);
/* The index of the section whose [rva, rva + max(VirtualSize, SizeOfRawData)) holds [rva, rva + len); else -1. */
int hp_pe_section_of(const hp_pe *pe, uint32_t rva, uint32_t len);

/*
 * Finds HPATCH_HEADER through the load config (docs/format.md 1.3): the directory inside the image, Size past
 * HotPatchTableOffset, the offset not 0, and the header in one section's file-backed bytes. On success *tables
 * points at the header and *available is the number of file-backed bytes from there to the section's end.
 */
int hp_pe_hotpatch_tables(const hp_pe *pe, const uint8_t **tables, uint32_t *available, uint32_t *tables_rva,
                          hp_error *err);

/*
 * The canonical form of a base file (docs/format.md 3): calls update(ctx, bytes, len) for every byte of the file
 * outside CheckSum, the certificate-table entry and the certificate table, then for the padding to 8 when the
 * file has no certificate table. Fails when the certificate table lies outside the file.
 */
int hp_canonical_form(const hp_pe *pe, void (*update)(void *ctx, const uint8_t *bytes, size_t len), void *ctx,
                      hp_error *err);

/* ---- hot-patch tables (docs/format.md 2) ---------------------------------------------------------------- */

#define HP_MAGIC 0x54415048u
#define HP_FLAG_OBLIGATORY 0x1u
#define HP_FLAG_CAN_ROLL_BACK 0x2u
#define HP_FLAG_MACHINE_I386 0x4u
#define HP_FLAG_MACHINE_ARM64 0x8u
#define HP_FLAG_MACHINE_AMD64 0x10u
#define HP_FLAG_CUMULATIVE 0x20u

#define HP_FN_REDIRECT 0x1u
#define HP_FN_NEW 0x2u
#define HP_FN_HOP 0x4u
#define HP_NO_BASE_RVA 0xFFFFFFFFu

#define HP_MAX_FUNCTIONS (1u << 20)
#define HP_MAX_FIXUPS (1u << 24)

enum {
    HP_FIX_X86_ABS32 = 1, HP_FIX_X64_ABS64 = 2, HP_FIX_REL32 = 3, HP_FIX_ARM64_ADRP_ADD = 4,
    HP_FIX_ARM64_ADRP_LDST = 5, HP_FIX_ARM64_BRANCH26 = 6, HP_FIX_INDIRECT = 7
};

typedef struct hp_tables {
    const uint8_t *bytes; /* HPATCH_HEADER */
    uint32_t size;
    uint32_t sequence, min_sequence, flags;
    uint32_t base_offset, function_offset, function_count, fixup_offset, fixup_count, string_offset, string_size;
    /* HPATCH_BASE */
    uint32_t base_time_date_stamp, base_check_sum, base_size_of_image;
    uint16_t machine;
    uint8_t base_sha256[32];
    uint32_t base_name;
    uint32_t data_fixups; /* index of the first data fixup (where the last run ends) */
} hp_tables;

typedef struct hp_function {
    uint32_t base_rva, patch_rva, patch_size, flags, site_rva;
    uint8_t site_size;
    uint8_t original[16];
    uint32_t first_fixup, fixup_count, name;
} hp_function;

typedef struct hp_fixup {
    uint32_t site_rva;
    uint8_t kind, modifier; /* modifier: Tail for REL32, AccessShift for ARM64_ADRP_LDST */
    uint16_t pair_offset;
    uint32_t target_rva;
    int32_t addend;
    uint32_t name;
} hp_fixup;

/* Reads HPATCH_HEADER at bytes (available bytes there) and checks rules 1 to 11 of docs/format.md 2.7. */
int hp_tables_parse(hp_tables *t, const uint8_t *bytes, uint32_t available, hp_error *err);
void hp_tables_function(const hp_tables *t, uint32_t i, hp_function *f);
void hp_tables_fixup(const hp_tables *t, uint32_t j, hp_fixup *x);
/* A checked name (valid after hp_tables_parse succeeded): a NUL-terminated UTF-8 string inside the table. */
const char *hp_tables_name(const hp_tables *t, uint32_t name_offset);
/* The bytes a fixup writes: its site width (for an ADRP pair, the ADRP; the pair instruction is 4 more bytes). */
uint32_t hp_fixup_width(uint16_t machine, uint8_t kind);

/* ---- applying (docs/format.md 4, 5, 6, 7 steps 5 and 6) ------------------------------------------------- */

/*
 * Rules 12 and 13 with the patch's PE headers in hand: the patch's Machine equals HPATCH_BASE.Machine; every
 * function lies in an executable section of the patch; every fixup's written bytes lie in the patch's sections.
 */
int hp_check_patch_image(const hp_pe *patch, const hp_tables *t, hp_error *err);

/*
 * Lays the patch image out in mem (SizeOfImage bytes, which the caller has zeroed): the headers, then each
 * section's raw bytes at its RVA (the zero-filled tail stays zero).
 */
int hp_map_sections(const hp_pe *patch, uint8_t *mem, size_t mem_size, hp_error *err);

/* Applies the patch's own base relocations (read from mem) for a patch mapped at patch_load. */
int hp_map_relocate(const hp_pe *patch, uint8_t *mem, size_t mem_size, uint64_t patch_load, hp_error *err);

/*
 * Computes and writes one fixup into the mapped patch (mem is the patch image at patch_load), checking reach and
 * the instruction classes (rule 14). Index j is for messages.
 */
int hp_apply_fixup(uint16_t machine, const hp_tables *t, uint32_t j, uint8_t *mem, size_t mem_size,
                   uint64_t patch_load, uint64_t base_load, hp_error *err);

/*
 * The bytes fixup j must have in the mapped patch, computed from the bytes there now without writing them:
 * out gets the site's width of bytes, out_pair (ADRP pairs) the pair instruction. For the integrity check after
 * writing: the computation is idempotent (ARM64 kinds replace whole immediate fields).
 */
int hp_fixup_bytes(uint16_t machine, const hp_tables *t, uint32_t j, const uint8_t *mem, size_t mem_size,
                   uint64_t patch_load, uint64_t base_load, uint8_t out[8], uint8_t out_pair[4], hp_error *err);

/* Every fixup of the table, in table order. */
int hp_apply_fixups(uint16_t machine, const hp_tables *t, uint8_t *mem, size_t mem_size, uint64_t patch_load,
                    uint64_t base_load, hp_error *err);

/*
 * The trampoline a REDIRECT record writes at BaseLoad + SiteRva (SiteSize bytes into out), checking reach.
 * For HOP, out holds the 5-byte jump then the 2-byte hop, in site order.
 */
int hp_trampoline(uint16_t machine, const hp_tables *t, uint32_t i, uint64_t base_load, uint64_t patch_load,
                  uint8_t out[16], hp_error *err);

/* Rule 13 for the base: every trampoline site lies inside an executable section of the base. */
int hp_check_sites(const hp_pe *base, const hp_tables *t, hp_error *err);

/*
 * Step 3: the patch's HPATCH_BASE against the base's TimeDateStamp, CheckSum, SizeOfImage and canonical SHA-256
 * (the caller hashes hp_canonical_form). HP_EBASE names the first field that differs.
 */
int hp_check_identity(const hp_tables *t, uint32_t time_date_stamp, uint32_t check_sum, uint32_t size_of_image,
                      const uint8_t sha256[32], hp_error *err);

/* Reach of every fixup and trampoline for a candidate patch_load, without writing (section 6). */
int hp_check_reach(uint16_t machine, const hp_tables *t, uint64_t base_load, uint64_t patch_load, hp_error *err);

#endif
