package dev.hotpatch.differ.functions;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The functions of one image, sorted by entry, with a lookup from any RVA to the function range holding it. */
public final class FunctionTable {
    private final List<Fn> functions;
    private final long[] rangeStart;
    private final long[] rangeEnd;
    private final int[] rangeFn;
    private final int[] rangeIndex;
    private final Coverage coverage;

    /** Bytes of executable sections, and how many of them lie in functions by the kind of source. */
    public record Coverage(long executableBytes, long metadataBytes, long descentBytes, long gapBytes) {
        public long coveredBytes() {
            return metadataBytes + descentBytes + gapBytes;
        }
    }

    FunctionTable(List<Fn> functions, Coverage coverage) {
        this.functions = List.copyOf(functions);
        this.coverage = coverage;
        int n = 0;
        for (Fn f : functions) {
            n += f.rangeCount();
        }
        int[] fnOf = new int[n];
        int[] idxOf = new int[n];
        long[] starts = new long[n];
        long[] ends = new long[n];
        int k = 0;
        for (Fn f : functions) {
            for (int r = 0; r < f.rangeCount(); r++) {
                starts[k] = f.rangeStart(r);
                ends[k] = f.rangeEnd(r);
                fnOf[k] = f.index();
                idxOf[k] = r;
                k++;
            }
        }
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = starts[i] << 24 | i;     // RVAs fit in 32 bits; n stays below 2^24 ranges per image
        }
        java.util.Arrays.sort(order);
        rangeStart = new long[n];
        rangeEnd = new long[n];
        rangeFn = new int[n];
        rangeIndex = new int[n];
        for (int i = 0; i < n; i++) {
            int at = (int) (order[i] & 0xffffff);
            rangeStart[i] = starts[at];
            rangeEnd[i] = ends[at];
            rangeFn[i] = fnOf[at];
            rangeIndex[i] = idxOf[at];
        }
    }

    public List<Fn> functions() {
        return functions;
    }

    public int size() {
        return functions.size();
    }

    public Fn get(int index) {
        return functions.get(index);
    }

    public Coverage coverage() {
        return coverage;
    }

    /** Index into the sorted range arrays of the range holding {@code rva}, or -1. */
    private int rangeAt(long rva) {
        int i = FunctionDiscovery.lastAtOrBefore(rangeStart, rva);
        return i >= 0 && rva < rangeEnd[i] ? i : -1;
    }

    /** The function whose ranges hold {@code rva}, or -1. */
    public int functionAt(long rva) {
        int i = rangeAt(rva);
        return i < 0 ? -1 : rangeFn[i];
    }

    /** Which of that function's ranges holds {@code rva} (0 is the entry's), or -1. */
    public int rangeIndexAt(long rva) {
        int i = rangeAt(rva);
        return i < 0 ? -1 : rangeIndex[i];
    }

    /** Start of the next function range at or after {@code rva}, or Long.MAX_VALUE. */
    public long nextRangeStart(long rva) {
        int i = FunctionDiscovery.lastAtOrBefore(rangeStart, rva - 1) + 1;
        return i < rangeStart.length ? rangeStart[i] : Long.MAX_VALUE;
    }

    public Map<Found, Integer> countsBySource() {
        Map<Found, Integer> counts = new EnumMap<>(Found.class);
        for (Found s : Found.values()) {
            counts.put(s, 0);
        }
        for (Fn f : functions) {
            for (Found s : Found.values()) {
                if (f.foundBy(s)) {
                    counts.merge(s, 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
