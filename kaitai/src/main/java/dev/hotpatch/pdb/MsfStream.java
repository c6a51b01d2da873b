package dev.hotpatch.pdb;

import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.KaitaiParse;
import dev.hotpatch.pe.PeFormatException;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStruct;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * One MSF stream: a size and the blocks that hold it, in order, over the mapped file. Ranges are copied out of
 * the blocks on demand (one structure or record at a time), so a large stream never sits in the heap whole.
 * Every block index was checked against the file when the directory was read.
 */
final class MsfStream {
    private final ImageBytes file;
    private final String name;
    private final int blockSize;
    private final int[] blocks;
    private final long size;

    MsfStream(ImageBytes file, String name, int blockSize, int[] blocks, long size) {
        this.file = file;
        this.name = name;
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.size = size;
    }

    /** The name errors use for the stream, such as {@code dbi_stream} or {@code stream[11]}. */
    String name() { return name; }

    long size() { return size; }

    /** The file offset of a stream position, or -1 when the position is outside the stream. */
    long fileOffset(long pos) {
        if (pos < 0 || pos >= size) {
            return -1;
        }
        return (long) blocks[(int) (pos / blockSize)] * blockSize + pos % blockSize;
    }

    /** The file offset of a field of a structure parsed (with read-pos) from stream position {@code base}. */
    long fieldOffset(KaitaiStruct struct, String ksyId, long base) {
        long pos = KaitaiParse.fieldOffset(struct, ksyId, base);
        return pos < 0 ? -1 : fileOffset(pos);
    }

    /** Throws unless [pos, pos + len) lies inside the stream. */
    void checkRange(String structure, String field, long fieldFileOffset, long pos, long len)
            throws PeFormatException {
        if (pos < 0 || len < 0 || pos > size || len > size - pos) {
            throw new PeFormatException(structure, field, fieldFileOffset,
                    "a range inside " + name + " (0x0..0x" + Long.toHexString(size) + ")",
                    hex(pos) + ".." + hex(pos + len));
        }
    }

    /** Copies [pos, pos + len) of the stream, which the caller has checked, out of its blocks. */
    byte[] copy(long pos, int len) {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long at = pos + done;
            int inBlock = (int) (at % blockSize);
            int n = Math.min(len - done, blockSize - inBlock);
            long from = (long) blocks[(int) (at / blockSize)] * blockSize + inBlock;
            file.slice(from, n).get(out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * Parses the structure that occupies [pos, pos + len) of the stream, checked here; a parser that runs past
     * it fails with {@link PeFormatException}. Positions in the parsed structure are relative to {@code pos}.
     */
    <T> T parse(String structure, long pos, long len, KaitaiParse.Parser<T> parser) throws PeFormatException {
        checkRange(structure, "extent", fileOffset(pos), pos, len);
        if (len > Integer.MAX_VALUE) {
            throw new PeFormatException(structure, "extent", fileOffset(pos), "at most 0x7fffffff bytes",
                    hex(len));
        }
        return KaitaiParse.parse(new ByteBufferKaitaiStream(copy(pos, (int) len)), structure, fileOffset(pos), len,
                parser);
    }
}
