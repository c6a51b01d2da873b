package dev.hotpatch.differ.normalise;

/** A small 64-bit streaming hash (multiply-xorshift); deterministic across runs and machines. */
public final class Hasher {
    private static final long K = 0x9E3779B97F4A7C15L;
    private long h;

    public Hasher reset() {
        h = 0x6A09E667F3BCC908L;
        return this;
    }

    public Hasher add(long v) {
        h = (h ^ v) * K;
        h ^= h >>> 31;
        return this;
    }

    public Hasher add(byte[] bytes, int offset, int length) {
        int i = 0;
        while (i + 8 <= length) {
            long v = 0;
            for (int k = 7; k >= 0; k--) {
                v = v << 8 | (bytes[offset + i + k] & 0xff);
            }
            add(v);
            i += 8;
        }
        long tail = length;
        for (; i < length; i++) {
            tail = tail << 8 | (bytes[offset + i] & 0xff);
        }
        return add(tail);
    }

    public Hasher add(String s) {
        for (int i = 0; i < s.length(); i++) {
            add(s.charAt(i));
        }
        return add(s.length());
    }

    public long value() {
        long x = h;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }

    /** A well-spread value of one long, for multiset sums. */
    public static long mix(long v) {
        long x = v * K;
        x ^= x >>> 29;
        x *= 0xbf58476d1ce4e5b9L;
        return x ^ x >>> 32;
    }
}
