package dev.hotpatch.packager.format;

import java.util.Arrays;
import java.util.List;

import static dev.hotpatch.packager.format.Fields.hex;

/**
 * The fixups' written bytes do not overlap: each fixup writes its site (and, for an ADRP pair, the second
 * instruction), and no byte is written by two fixups, except one ADRP shared by pairs whose targets lie in the
 * same 4 KB page (compilers reuse one ADRP for several loads from a page), which all write the same value.
 */
final class WriteRanges {
    /** A range is packed as start << RANGE_BITS | (fixup index * 2 + second instruction). */
    private static final int RANGE_BITS = 26;
    private static final long RANGE_MASK = (1L << RANGE_BITS) - 1;

    private final int machine;

    WriteRanges(int machine) {
        this.machine = machine;
    }

    void check(List<FixupRecord> fixups, long tableOffset) throws PatchFormatException {
        long[] keys = new long[fixups.size() * 2];
        int n = 0;
        for (int j = 0; j < fixups.size(); j++) {
            FixupRecord f = fixups.get(j);
            keys[n++] = f.siteRva() << RANGE_BITS | (long) j * 2;
            if (f.kind().isAdrpPair()) {
                keys[n++] = (f.siteRva() + f.pairOffset()) << RANGE_BITS | (long) j * 2 + 1;
            }
        }
        Arrays.sort(keys, 0, n);
        long reachEnd = -1;
        int reachRange = -1;
        for (int k = 0; k < n; k++) {
            int range = (int) (keys[k] & RANGE_MASK);
            long start = keys[k] >>> RANGE_BITS;
            if (start < reachEnd && !sharedAdrp(fixups, reachRange, range)) {
                int j = range / 2;
                throw new PatchFormatException("fixup_record[" + j + "]", "site_rva",
                        tableOffset + (long) j * TableLayout.Fixup.LENGTH + TableLayout.Fixup.SITE_RVA,
                        "bytes no other fixup writes (fixup_record[" + reachRange / 2 + "] writes up to "
                                + hex(reachEnd) + ")", hex(start) + (range % 2 == 1 ? " (its second instruction)" : ""))
                        .fault(PatchFormatException.Fault.OVERLAP);
            }
            long end = start + width(fixups.get(range / 2), range % 2 == 1);
            if (end > reachEnd) {
                reachEnd = end;
                reachRange = range;
            }
        }
    }

    private int width(FixupRecord f, boolean second) {
        return second ? 4 : f.kind().siteWidth(machine);
    }

    /** Both ranges are the ADRP of a pair, at the same RVA, and both targets lie in the same 4 KB page. */
    private static boolean sharedAdrp(List<FixupRecord> fixups, int a, int b) {
        if (a % 2 == 1 || b % 2 == 1) {
            return false;
        }
        FixupRecord x = fixups.get(a / 2);
        FixupRecord y = fixups.get(b / 2);
        return x.kind().isAdrpPair() && y.kind().isAdrpPair() && x.siteRva() == y.siteRva()
                && (x.targetRva() + x.addend()) >> 12 == (y.targetRva() + y.addend()) >> 12;
    }
}
