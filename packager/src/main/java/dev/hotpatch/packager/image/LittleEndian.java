package dev.hotpatch.packager.image;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian helpers for the packager's writers. */
public final class LittleEndian {
    private LittleEndian() {}

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The little-endian 32-bit word at {@code at}. */
    public static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    /** Stores a little-endian 32-bit word at {@code at}. */
    public static void putInt(byte[] b, int at, int value) {
        INT.set(b, at, value);
    }

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

    /** {@code value} rounded up to a multiple of {@code alignment}, a power of two. */
    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
