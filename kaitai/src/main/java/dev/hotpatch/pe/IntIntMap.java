package dev.hotpatch.pe;

import java.util.Arrays;

/**
 * A small open-addressing map from 32-bit keys (RVAs) to non-negative ints, so that caching a few hundred
 * thousand unwind infos by RVA costs 8 bytes per slot instead of a boxed entry.
 */
final class IntIntMap {
    private int[] keys;
    private int[] values;   // -1 marks an empty slot
    private int size;

    IntIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new int[capacity];
        values = new int[capacity];
        Arrays.fill(values, -1);
    }

    /** The value for {@code key}, or -1. */
    int get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == -1) {
                return -1;
            }
            if (keys[i] == key) {
                return values[i];
            }
        }
    }

    void put(int key, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == -1) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(values, -1);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != -1) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** MurmurHash3's finaliser: RVAs share their low bits (alignment), so every bit must reach the index. */
    private static int mix(int key) {
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
