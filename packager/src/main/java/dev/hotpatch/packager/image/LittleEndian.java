package dev.hotpatch.packager.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian helpers for the table writers of this package. */
final class LittleEndian {
    private LittleEndian() {}

    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
    }

    static void writeInt(ByteArrayOutputStream out, int value) {
        writeShort(out, value);
        writeShort(out, value >>> 16);
    }

    /** Writes a pointer-sized value: 8 bytes when {@code pe32Plus}, else 4. */
    static void putPointer(ByteBuffer buf, int at, long value, boolean pe32Plus) {
        if (pe32Plus) {
            buf.putLong(at, value);
        } else {
            buf.putInt(at, (int) value);
        }
    }

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
