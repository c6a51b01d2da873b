package dev.hotpatch.pe;

import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * The bytes of a file, memory-mapped so that large images stay off the heap. Callers check ranges with
 * {@link #checkRange} before asking for a slice or a stream.
 */
public final class ImageBytes {
    private final ByteBuffer buffer;

    private ImageBytes(ByteBuffer buffer) {
        this.buffer = buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static ImageBytes map(Path path) throws IOException, PeFormatException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Limits.MAX_FILE_SIZE) {
                throw new PeFormatException("file", "length", -1,
                        "at most 0x" + Long.toHexString(Limits.MAX_FILE_SIZE) + " bytes", "0x" + Long.toHexString(size));
            }
            return new ImageBytes(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    public static ImageBytes of(byte[] bytes) {
        return new ImageBytes(ByteBuffer.wrap(bytes));
    }

    public long length() {
        return buffer.capacity();
    }

    /** True when [offset, offset + size) lies inside the file. */
    public boolean inFile(long offset, long size) {
        return offset >= 0 && size >= 0 && offset <= length() && size <= length() - offset;
    }

    /** Throws unless [offset, offset + size) lies inside the file. */
    public void checkRange(String structure, String field, long fieldOffset, long offset, long size)
            throws PeFormatException {
        if (!inFile(offset, size)) {
            throw outside(structure, field, fieldOffset, offset, size);
        }
    }

    /** Like {@link #checkRange(String, String, long, long, long)}, finding the field's offset only to throw. */
    public void checkRange(String structure, String field, LongSupplier fieldOffset, long offset, long size)
            throws PeFormatException {
        if (!inFile(offset, size)) {
            throw outside(structure, field, fieldOffset.getAsLong(), offset, size);
        }
    }

    private PeFormatException outside(String structure, String field, long fieldOffset, long offset, long size) {
        return new PeFormatException(structure, field, fieldOffset,
                "a range inside the file (0x0..0x" + Long.toHexString(length()) + ")",
                "0x" + Long.toHexString(offset) + "..0x" + Long.toHexString(offset + size));
    }

    /** A read-only little-endian view of a checked range. */
    public ByteBuffer slice(long offset, long size) {
        return buffer.slice((int) offset, (int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A Kaitai stream over a checked range; positions in it are relative to {@code offset}. */
    public KaitaiStream stream(long offset, long size) {
        return new ByteBufferKaitaiStream(slice(offset, size));
    }

    /** Copies a range; bytes past the end of the file read as zeros, as the loader's mapping does. */
    public byte[] copyZeroPadded(long offset, int size) {
        byte[] out = new byte[size];
        if (offset < length()) {
            int available = (int) Math.min(size, length() - offset);
            buffer.get((int) offset, out, 0, available);
        }
        return out;
    }

    public byte byteAt(long offset) {
        return buffer.get((int) offset);
    }

    /**
     * Reads a NUL-terminated string of at most {@link Limits#MAX_NAME_LENGTH} bytes (ISO-8859-1, so every byte
     * survives), or throws when it runs off the file or past the limit without a terminator.
     */
    public String cString(long offset, String structure, String field, long fieldOffset) throws PeFormatException {
        if (offset < 0 || offset >= length()) {
            throw new PeFormatException(structure, field, fieldOffset,
                    "a string inside the file (0x0..0x" + Long.toHexString(length()) + ")",
                    "offset 0x" + Long.toHexString(offset));
        }
        long end = Math.min(length(), offset + Limits.MAX_NAME_LENGTH);
        for (long p = offset; p < end; p++) {
            if (buffer.get((int) p) == 0) {
                byte[] raw = new byte[(int) (p - offset)];
                buffer.get((int) offset, raw);
                return new String(raw, StandardCharsets.ISO_8859_1);
            }
        }
        throw new PeFormatException(structure, field, fieldOffset,
                "a NUL-terminated string of at most " + Limits.MAX_NAME_LENGTH + " bytes",
                "no terminator before 0x" + Long.toHexString(end));
    }
}
