package dev.hotpatch.differ.normalise;

import java.util.Arrays;

/**
 * The references of every function of an image, in instruction order, as found by the normaliser: the RVA
 * referred to, flags ({@code Step.REF_*}) and the access size when known. Three primitive arrays, so an image
 * with millions of references costs a few tens of megabytes and no objects.
 */
public final class RefTable {
    /** Flag for a reference made by a call or jump to another function. */
    public static final int CODE = 0x100;

    private long[] target = new long[1024];
    private int[] flags = new int[1024];
    private int size;

    public void add(long rva, int flag, int accessSize) {
        if (size == target.length) {
            target = Arrays.copyOf(target, size * 2);
            flags = Arrays.copyOf(flags, size * 2);
        }
        target[size] = rva;
        flags[size] = flag | Math.min(accessSize, 255) << 16;
        size++;
    }

    /** Forgets every reference (keeps the arrays). */
    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public long target(int i) {
        return target[i];
    }

    public int flags(int i) {
        return flags[i] & 0xffff;
    }

    public int accessSize(int i) {
        return flags[i] >>> 16;
    }
}
