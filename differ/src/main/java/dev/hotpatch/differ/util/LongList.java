package dev.hotpatch.differ.util;

import java.util.Arrays;

/** A growable list of longs (no boxing). */
public final class LongList {
    private long[] values = new long[256];
    private int size;

    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public long get(int i) {
        return values[i];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }
}
