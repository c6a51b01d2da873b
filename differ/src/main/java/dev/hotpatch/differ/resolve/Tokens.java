package dev.hotpatch.differ.resolve;

import java.util.Arrays;

/**
 * The resolved references of every function of an image: each is a kind, a value and an offset. What the
 * value means depends on the kind: a function or global index of this image (compared through the
 * matching), or a content hash (compared as it is).
 */
public final class Tokens {
    public static final byte FUNCTION = 1;   // value: function index; offset: range << 24 | offset
    public static final byte IMPORT = 2;     // value: hash of "dll!name"
    public static final byte GLOBAL = 3;     // value: global index; offset into it
    public static final byte LITERAL = 4;    // value: index into the image's literals (compared by content)
    public static final byte TABLE = 5;      // value: hash of the case targets inside the function
    public static final byte CODE = 6;       // value: hash of the bytes there (code outside every function)
    public static final byte ABSOLUTE = 7;   // value: the RVA (outside every section)
    public static final byte PAGE = 8;       // an ARM64 page no instruction completed; compares equal

    private byte[] kind = new byte[1024];
    private long[] value = new long[1024];
    private int[] offset = new int[1024];
    private int size;

    public void add(byte k, long v, int off) {
        if (size == kind.length) {
            kind = Arrays.copyOf(kind, size * 2);
            value = Arrays.copyOf(value, size * 2);
            offset = Arrays.copyOf(offset, size * 2);
        }
        kind[size] = k;
        value[size] = v;
        offset[size] = off;
        size++;
    }

    public void set(int i, byte k, long v, int off) {
        kind[i] = k;
        value[i] = v;
        offset[i] = off;
    }

    /** Drops the tokens from {@code newSize} on. */
    public void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    public int size() {
        return size;
    }

    public byte kind(int i) {
        return kind[i];
    }

    public long value(int i) {
        return value[i];
    }

    public int offset(int i) {
        return offset[i];
    }

    /** True for kinds whose value is an index into this image's functions or globals. */
    public static boolean isIdentity(byte k) {
        return k == FUNCTION || k == GLOBAL;
    }
}
