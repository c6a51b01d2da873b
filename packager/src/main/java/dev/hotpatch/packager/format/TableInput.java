package dev.hotpatch.packager.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian reads from the tables, each checked against the tables' extent, so that a read past the end is a
 * {@link PatchFormatException} naming the field, never an index error. Offsets are from the start of HPATCH_HEADER.
 */
final class TableInput {
    private final ByteBuffer bytes;
    private long limit;

    TableInput(ByteBuffer bytes) {
        this.bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.limit = this.bytes.remaining();
    }

    /** Bytes the input holds (the tables and anything after them). */
    long length() {
        return bytes.remaining();
    }

    /** From now on reads stop at {@code size} (the header's Size, at most the input's length). */
    void limit(long size) {
        this.limit = Math.min(size, bytes.remaining());
    }

    int u8(long at, String structure, String field) throws PatchFormatException {
        check(at, 1, structure, field);
        return Byte.toUnsignedInt(bytes.get((int) at));
    }

    int u16(long at, String structure, String field) throws PatchFormatException {
        check(at, 2, structure, field);
        return Short.toUnsignedInt(bytes.getShort((int) at));
    }

    long u32(long at, String structure, String field) throws PatchFormatException {
        check(at, 4, structure, field);
        return Integer.toUnsignedLong(bytes.getInt((int) at));
    }

    int i32(long at, String structure, String field) throws PatchFormatException {
        check(at, 4, structure, field);
        return bytes.getInt((int) at);
    }

    byte[] copy(long at, int length, String structure, String field) throws PatchFormatException {
        check(at, length, structure, field);
        byte[] out = new byte[length];
        bytes.get((int) at, out);
        return out;
    }

    /** True when the {@code length} bytes at {@code at} are all zero. */
    boolean zero(long at, int length, String structure, String field) throws PatchFormatException {
        check(at, length, structure, field);
        for (int i = 0; i < length; i++) {
            if (bytes.get((int) at + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A read-only view of a checked range. */
    ByteBuffer slice(long at, long length, String structure, String field) throws PatchFormatException {
        check(at, length, structure, field);
        return bytes.slice((int) at, (int) length);
    }

    private void check(long at, long width, String structure, String field) throws PatchFormatException {
        if (at < 0 || width < 0 || at > limit - width) {
            throw new PatchFormatException(structure, field, at,
                    "a field inside the tables (0x0..0x" + Long.toHexString(limit) + ")",
                    "0x" + Long.toHexString(at) + "..0x" + Long.toHexString(at + width));
        }
    }
}
