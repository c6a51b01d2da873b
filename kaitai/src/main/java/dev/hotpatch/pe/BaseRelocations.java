package dev.hotpatch.pe;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The base relocation sites of an image, in file order, stored compactly (an int RVA and a byte type per site,
 * since real images have millions). ABSOLUTE padding entries are counted, not listed; a HIGHADJ site's
 * parameter entry is folded into the site. Immutable; {@link #sortedByRva()} gives a binary-searchable view.
 */
public final class BaseRelocations {
    private static final BaseRelocations EMPTY = new BaseRelocations(new int[0], new byte[0], 0, 0, new int[0],
            new short[0], 0);

    private final int[] rvas;
    private final byte[] types;
    private final int count;
    private final int padding;
    private final int[] highAdjSites;
    private final short[] highAdjParameters;
    private final int highAdjCount;
    private final Map<BaseRelocationType, Integer> countsByType;
    private final boolean sorted;
    private volatile SortedView sortedView;

    /** Takes ownership of the arrays; only the first {@code count} (and {@code highAdjCount}) are used. */
    BaseRelocations(int[] rvas, byte[] types, int count, int padding, int[] highAdjSites, short[] highAdjParameters,
                    int highAdjCount) {
        this.rvas = rvas;
        this.types = types;
        this.count = count;
        this.padding = padding;
        this.highAdjSites = highAdjSites;
        this.highAdjParameters = highAdjParameters;
        this.highAdjCount = highAdjCount;
        int[] byCode = new int[16];
        boolean inOrder = true;
        for (int i = 0; i < count; i++) {
            byCode[types[i]]++;
            if (i > 0 && Integer.compareUnsigned(rvas[i - 1], rvas[i]) > 0) {
                inOrder = false;
            }
        }
        byCode[BaseRelocationType.ABSOLUTE.code()] += padding;
        Map<BaseRelocationType, Integer> counts = new EnumMap<>(BaseRelocationType.class);
        for (int code = 0; code < byCode.length; code++) {
            if (byCode[code] > 0) {
                counts.put(BaseRelocationType.of(code), byCode[code]);
            }
        }
        this.countsByType = Collections.unmodifiableMap(counts);
        this.sorted = inOrder;
    }

    /** No relocations: the image has no base relocation directory. */
    public static BaseRelocations empty() {
        return EMPTY;
    }

    /** Number of sites (ABSOLUTE padding and HIGHADJ parameter entries excluded). */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** RVA of site {@code i}, in file order. */
    public long rva(int i) {
        return Integer.toUnsignedLong(rvas[Objects.checkIndex(i, count)]);
    }

    /** Type of site {@code i}, in file order. */
    public BaseRelocationType type(int i) {
        return BaseRelocationType.of(types[Objects.checkIndex(i, count)]);
    }

    /** The 16-bit parameter of HIGHADJ site {@code i}; throws when site {@code i} is not HIGHADJ. */
    public int highAdjParameter(int i) {
        int at = Arrays.binarySearch(highAdjSites, 0, highAdjCount, Objects.checkIndex(i, count));
        if (at < 0) {
            throw new IllegalArgumentException("relocation site " + i + " is " + type(i) + ", not HIGHADJ");
        }
        return highAdjParameters[at] & 0xffff;
    }

    /** ABSOLUTE entries, which pad blocks to 4 bytes. */
    public int paddingCount() {
        return padding;
    }

    /** Entries per type, ABSOLUTE padding included; types that do not occur are absent. */
    public Map<BaseRelocationType, Integer> countsByType() {
        return countsByType;
    }

    public boolean isSortedByRva() {
        return sorted;
    }

    /** The sites sorted by RVA (then type), for binary search. Shares this object's arrays when already sorted. */
    public SortedView sortedByRva() {
        SortedView view = sortedView;
        if (view == null) {
            view = sorted ? new SortedView(this, null) : new SortedView(null, sortedKeys());
            sortedView = view;
        }
        return view;
    }

    private long[] sortedKeys() {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = Integer.toUnsignedLong(rvas[i]) << 4 | types[i];
        }
        Arrays.sort(keys);
        return keys;
    }

    /** The sites ordered by RVA. */
    public static final class SortedView {
        private final BaseRelocations inOrder;
        private final long[] keys;   // rva << 4 | type, when the file order is not sorted

        private SortedView(BaseRelocations inOrder, long[] keys) {
            this.inOrder = inOrder;
            this.keys = keys;
        }

        public int count() {
            return keys == null ? inOrder.count : keys.length;
        }

        public long rva(int i) {
            return keys == null ? inOrder.rva(i) : keys[Objects.checkIndex(i, keys.length)] >>> 4;
        }

        public BaseRelocationType type(int i) {
            return keys == null ? inOrder.type(i) : BaseRelocationType.of((int) keys[Objects.checkIndex(i,
                    keys.length)]);
        }

        /** The first index whose RVA is at least {@code rva}, or {@link #count()} when there is none. */
        public int firstAtOrAfter(long rva) {
            int lo = 0;
            int hi = count();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (rva(mid) < rva) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** The first index of a site at exactly {@code rva}, or -1. */
        public int indexOf(long rva) {
            int i = firstAtOrAfter(rva);
            return i < count() && rva(i) == rva ? i : -1;
        }

        /** Number of sites with RVAs in [start, end). */
        public int countInRange(long start, long end) {
            return Math.max(0, firstAtOrAfter(end) - firstAtOrAfter(start));
        }
    }
}
