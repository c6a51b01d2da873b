package dev.hotpatch.packager.format;

/**
 * The ARM64 instruction fields a patch writer and an apply engine fill (docs/format.md): each method returns
 * the instruction word with one field replaced, for a target {@code delta} or address computed by the caller.
 */
public final class Arm64Fields {
    private Arm64Fields() {}

    /** B / BL: imm26 = delta >> 2. */
    public static int branch26(int word, long delta) {
        return (word & ~0x03FFFFFF) | (int) ((delta >> 2) & 0x03FFFFFF);
    }

    /** B.cond, CBZ/CBNZ, LDR (literal): imm19 = delta >> 2, in bits 5-23. */
    public static int imm19(int word, long delta) {
        return (word & ~0x00FFFFE0) | (int) (((delta >> 2) & 0x7FFFF) << 5);
    }

    /** TBZ/TBNZ: imm14 = delta >> 2, in bits 5-18. */
    public static int imm14(int word, long delta) {
        return (word & ~0x0007FFE0) | (int) (((delta >> 2) & 0x3FFF) << 5);
    }

    /** ADR: the byte delta split into immlo (bits 29-30) and immhi (bits 5-23). */
    public static int adr(int word, long delta) {
        return (word & ~0x60FFFFE0) | (int) ((delta & 3) << 29 | ((delta >> 2) & 0x7FFFF) << 5);
    }

    /** ADRP at {@code site}: the 4 KB page delta to {@code target}, split like ADR's immediate. */
    public static int adrp(int word, long site, long target) {
        return adr(word, ((target & ~0xFFFL) - (site & ~0xFFFL)) >> 12);
    }

    /** ADD (immediate) / LDR / STR (unsigned offset): imm12 = low 12 bits of the target >> access shift. */
    public static int lo12(int word, long target, int accessShift) {
        return (word & ~0x003FFC00) | (int) (((target & 0xFFF) >> accessShift) << 10);
    }
}
