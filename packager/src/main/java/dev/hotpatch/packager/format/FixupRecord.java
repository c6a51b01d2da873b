package dev.hotpatch.packager.format;

import java.util.Comparator;

/**
 * One reference from the patch into the base (docs/format.md, "Fixup record").
 *
 * @param siteRva     RVA in the patch image of the field, or of the ADRP / B / BL instruction on ARM64
 * @param kind        how the site is computed
 * @param tail        REL32 only: bytes of the instruction after the 4-byte field (0 for every other kind)
 * @param accessShift ARM64_ADRP_LDST only: log2 of the access size, which scales imm12 (0 for every other kind)
 * @param pairOffset  ARM64 ADRP pairs only: bytes from the ADRP to the ADD/LDR/STR (0 for every other kind)
 * @param targetRva   RVA of the target in the base image
 * @param addend      added to the target's VA before the computation
 * @param name        what the site refers to, for diagnostics ("global counter", "import kernel32.dll!Sleep")
 */
public record FixupRecord(long siteRva, FixupKind kind, int tail, int accessShift, int pairOffset, long targetRva,
                          int addend, String name) {

    /** The order of fixups in a run: SiteRva first, then every other field so that equal sites sort the same way. */
    public static final Comparator<FixupRecord> TABLE_ORDER = Comparator.comparingLong(FixupRecord::siteRva)
            .thenComparingInt(FixupRecord::pairOffset)
            .thenComparingInt(f -> f.kind().code())
            .thenComparingLong(FixupRecord::targetRva)
            .thenComparingInt(FixupRecord::addend)
            .thenComparingInt(FixupRecord::tail)
            .thenComparingInt(FixupRecord::accessShift)
            .thenComparing(FixupRecord::name);

    public FixupRecord {
        Fields.u32(siteRva, "siteRva");
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        Fields.range(tail, 0, kind == FixupKind.REL32 ? 0xFF : 0, "tail of a " + kind + " fixup");
        Fields.range(accessShift, 0, kind == FixupKind.ARM64_ADRP_LDST ? 0xFF : 0, "accessShift of a " + kind + " fixup");
        Fields.range(pairOffset, 0, kind.isAdrpPair() ? 0xFFFF : 0, "pairOffset of a " + kind + " fixup");
        Fields.u32(targetRva, "targetRva");
        Fields.name(name, "fixup name");
    }

    /** A fixup of a kind without Tail, AccessShift or PairOffset (ABS32, ABS64, BRANCH26, INDIRECT). */
    public static FixupRecord simple(long siteRva, FixupKind kind, long targetRva, int addend, String name) {
        return new FixupRecord(siteRva, kind, 0, 0, 0, targetRva, addend, name);
    }

    public static FixupRecord rel32(long siteRva, int tail, long targetRva, int addend, String name) {
        return new FixupRecord(siteRva, FixupKind.REL32, tail, 0, 0, targetRva, addend, name);
    }

    public static FixupRecord adrpAdd(long siteRva, int pairOffset, long targetRva, int addend, String name) {
        return new FixupRecord(siteRva, FixupKind.ARM64_ADRP_ADD, 0, 0, pairOffset, targetRva, addend, name);
    }

    public static FixupRecord adrpLdst(long siteRva, int pairOffset, int accessShift, long targetRva, int addend,
                                       String name) {
        return new FixupRecord(siteRva, FixupKind.ARM64_ADRP_LDST, 0, accessShift, pairOffset, targetRva, addend,
                name);
    }

    /** The byte at offset 0x05 of the record: Tail for REL32, AccessShift for ARM64_ADRP_LDST, else 0. */
    int tailOrAccessShift() {
        return kind == FixupKind.ARM64_ADRP_LDST ? accessShift : tail;
    }

    @Override
    public String toString() {
        return "FixupRecord[siteRva=" + Fields.hex(siteRva) + ", kind=" + kind + ", tail=" + tail + ", accessShift="
                + accessShift + ", pairOffset=" + pairOffset + ", targetRva=" + Fields.hex(targetRva) + ", addend="
                + addend + ", name=" + name + "]";
    }
}
