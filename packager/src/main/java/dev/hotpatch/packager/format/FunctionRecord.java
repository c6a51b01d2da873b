package dev.hotpatch.packager.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * One patch function (docs/format.md, "Function record"), with its run of fixups. The table's FirstFixup and
 * FixupCount are not part of the model: a function owns its fixups, and the writer lays the runs out.
 *
 * @param baseRva       entry of the base function this replaces, or {@link #NO_BASE_RVA} for a new function
 * @param patchRva      entry of the function in the patch image
 * @param patchSize     bytes of the function in the patch image
 * @param flags         {@link #REDIRECT}, {@link #NEW}, {@link #HOP}
 * @param siteRva       first base byte the trampoline overwrites (0 without REDIRECT)
 * @param originalBytes the base's bytes at the site; their number is SiteSize (empty without REDIRECT)
 * @param fixups        this function's fixups; kept in {@link FixupRecord#TABLE_ORDER}
 * @param name          the function's name, for diagnostics ("" for none)
 */
public record FunctionRecord(long baseRva, long patchRva, long patchSize, int flags, long siteRva,
                             byte[] originalBytes, List<FixupRecord> fixups, String name) {

    /** BaseRva of a function only the patch has. */
    public static final long NO_BASE_RVA = 0xFFFF_FFFFL;

    /** Write a trampoline at the site. */
    public static final int REDIRECT = 0x1;
    /** A function only the patch has (BaseRva is {@link #NO_BASE_RVA}). */
    public static final int NEW = 0x2;
    /** The trampoline is the hot-patch hop: E9 rel32 in the 5 bytes before the entry, EB F9 at the entry. */
    public static final int HOP = 0x4;
    /** Every bit format version 1 defines; any other bit makes the tables invalid. */
    public static final int KNOWN_FLAGS = REDIRECT | NEW | HOP;

    /** SiteSize of the x86/x64 E9 rel32 trampoline. */
    public static final int SITE_SIZE_JUMP = 5;
    /** SiteSize of the hop: 5 bytes before the entry and 2 at it. */
    public static final int SITE_SIZE_HOP = 7;
    /** Bytes of the hop's jump that lie before the entry. */
    public static final int HOP_PADDING = 5;
    /** SiteSize of the ARM64 B trampoline. */
    public static final int SITE_SIZE_ARM64 = 4;
    /** Room for OriginalBytes in the record. */
    public static final int MAX_SITE_SIZE = 16;

    /** The order of the function table: PatchRva, then BaseRva. */
    public static final Comparator<FunctionRecord> TABLE_ORDER = Comparator.comparingLong(FunctionRecord::patchRva)
            .thenComparingLong(FunctionRecord::baseRva)
            .thenComparingInt(FunctionRecord::flags)
            .thenComparingLong(FunctionRecord::siteRva)
            .thenComparingLong(FunctionRecord::patchSize)
            .thenComparing(FunctionRecord::name);

    public FunctionRecord {
        Fields.u32(baseRva, "baseRva");
        Fields.u32(patchRva, "patchRva");
        Fields.u32(patchSize, "patchSize");
        Fields.u32(siteRva, "siteRva");
        if (originalBytes == null || originalBytes.length > MAX_SITE_SIZE) {
            throw new IllegalArgumentException("originalBytes must hold 0 to 16 bytes");
        }
        originalBytes = originalBytes.clone();
        if (fixups == null) {
            throw new IllegalArgumentException("fixups must not be null");
        }
        List<FixupRecord> sorted = new ArrayList<>(fixups);
        sorted.sort(FixupRecord.TABLE_ORDER);
        fixups = List.copyOf(sorted);
        Fields.name(name, "function name");
    }

    /** A changed function redirected from its base entry with the 5-byte jump (x86, x64). */
    public static FunctionRecord redirectedJump(long baseRva, long patchRva, long patchSize, byte[] originalBytes,
                                                List<FixupRecord> fixups, String name) {
        return new FunctionRecord(baseRva, patchRva, patchSize, REDIRECT, baseRva, originalBytes, fixups, name);
    }

    /**
     * A changed function too short for the jump, redirected with the hot-patch hop (x86, x64): the site is the 5
     * padding bytes before the entry and the entry's first 2 bytes ({@code originalBytes}, 7 bytes from BaseRva - 5).
     */
    public static FunctionRecord redirectedHop(long baseRva, long patchRva, long patchSize, byte[] originalBytes,
                                               List<FixupRecord> fixups, String name) {
        return new FunctionRecord(baseRva, patchRva, patchSize, REDIRECT | HOP, baseRva - HOP_PADDING, originalBytes,
                fixups, name);
    }

    /** A function only the patch has. */
    public static FunctionRecord added(long patchRva, long patchSize, List<FixupRecord> fixups, String name) {
        return new FunctionRecord(NO_BASE_RVA, patchRva, patchSize, NEW, 0, new byte[0], fixups, name);
    }

    /** SiteSize: how many base bytes the trampoline overwrites. */
    public int siteSize() {
        return originalBytes.length;
    }

    /** A copy of the original bytes at the site. */
    @Override
    public byte[] originalBytes() {
        return originalBytes.clone();
    }

    public boolean redirect() { return (flags & REDIRECT) != 0; }

    public boolean isNew() { return (flags & NEW) != 0; }

    public boolean hop() { return (flags & HOP) != 0; }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionRecord f && baseRva == f.baseRva && patchRva == f.patchRva
                && patchSize == f.patchSize && flags == f.flags && siteRva == f.siteRva
                && Arrays.equals(originalBytes, f.originalBytes) && fixups.equals(f.fixups) && name.equals(f.name);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(baseRva);
        h = h * 31 + Long.hashCode(patchRva);
        h = h * 31 + Long.hashCode(patchSize);
        h = h * 31 + flags;
        h = h * 31 + Long.hashCode(siteRva);
        h = h * 31 + Arrays.hashCode(originalBytes);
        h = h * 31 + fixups.hashCode();
        return h * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return "FunctionRecord[baseRva=" + Fields.hex(baseRva) + ", patchRva=" + Fields.hex(patchRva)
                + ", patchSize=" + Fields.hex(patchSize) + ", flags=" + Fields.hex(flags) + ", siteRva="
                + Fields.hex(siteRva) + ", originalBytes=" + HexFormat.of().formatHex(originalBytes) + ", fixups="
                + fixups + ", name=" + name + "]";
    }
}
