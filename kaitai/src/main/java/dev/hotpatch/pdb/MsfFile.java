package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.MsfSuperblock;
import dev.hotpatch.kaitai.layout.bulk.MsfStreamDirectory;
import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.KaitaiParse;
import dev.hotpatch.pe.PeFormatException;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStream;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The MSF container of a PDB: the superblock, then the stream directory (stream sizes and block lists). Every
 * size and block index is checked against the file and {@link PdbLimits} before anything is sized by it: the
 * superblock's blocks must be in the file, the directory must fit the one block map block, the streams' blocks
 * must not outnumber the file's and every block index must name a block of the file.
 */
final class MsfFile {
    private static final String SUPERBLOCK = "msf_superblock";
    private static final String DIRECTORY = "msf_stream_directory";
    private static final int SUPERBLOCK_SIZE = 56;   // msf_superblock seq: 32-byte magic + 6 * u4
    private static final int BLOCK_INDEX_SIZE = 4;   // u4 block indices and stream sizes in the directory
    private static final long NIL_STREAM = 0xffffffffL;
    private static final byte[] MAGIC =   // msf_superblock.magic
            "Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final String PDB20_MAGIC = "Microsoft C/C++ program database 2.00";

    private final ImageBytes file;
    private final int blockSize;
    private final long[] streamSizes;
    private final int[][] streamBlocks;

    private MsfFile(ImageBytes file, int blockSize, long[] streamSizes, int[][] streamBlocks) {
        this.file = file;
        this.blockSize = blockSize;
        this.streamSizes = streamSizes;
        this.streamBlocks = streamBlocks;
    }

    static MsfFile open(ImageBytes file) throws PeFormatException {
        MsfSuperblock sb = superblock(file);
        int blockSize = blockSize(sb);
        long numBlocks = sb.numBlocks();
        long fileBlocks = file.length() / blockSize;
        if (numBlocks > fileBlocks || numBlocks < 2) {
            throw new PeFormatException(SUPERBLOCK, "num_blocks", fieldOffset(sb, "num_blocks", 0),
                    "2 to " + fileBlocks + " (the whole blocks of " + blockSize + " bytes the file holds)",
                    numBlocks + " (" + hex(numBlocks) + ")");
        }
        MsfStream directory = directoryStream(file, sb, blockSize, numBlocks);
        return readDirectory(file, directory, blockSize, numBlocks);
    }

    int numStreams() { return streamSizes.length; }

    /** True when the stream exists and is not nil (a stream index of 0xffff is never a stream). */
    boolean has(int index) {
        return index >= 0 && index < streamSizes.length && streamSizes[index] >= 0;
    }

    /** The stream, which must exist ({@link #has}); {@code name} is what error messages call it. */
    MsfStream stream(int index, String name) {
        return new MsfStream(file, name, blockSize, streamBlocks[index], Math.max(0, streamSizes[index]));
    }

    private static MsfSuperblock superblock(ImageBytes file) throws PeFormatException {
        if (file.length() < SUPERBLOCK_SIZE) {
            throw new PeFormatException(SUPERBLOCK, "magic", 0, "an MSF 7.0 superblock of " + SUPERBLOCK_SIZE
                    + " bytes", "a file of " + file.length() + " bytes");
        }
        try {
            return new MsfSuperblock(file.stream(0, SUPERBLOCK_SIZE));
        } catch (KaitaiStream.ValidationNotEqualError e) {
            String pdb20 = startsWith(file, PDB20_MAGIC) ? " (a PDB 2.0 file, which is not supported)" : "";
            throw new PeFormatException(SUPERBLOCK, "magic", 0, quoted(MAGIC) + " (a PDB in the MSF 7.0 format)",
                    quoted(file.copyZeroPadded(0, MAGIC.length)) + pdb20);
        }
    }

    private static int blockSize(MsfSuperblock sb) throws PeFormatException {
        long size = sb.blockSize();
        if (size < PdbLimits.MIN_BLOCK_SIZE || size > PdbLimits.MAX_BLOCK_SIZE || Long.bitCount(size) != 1) {
            throw new PeFormatException(SUPERBLOCK, "block_size", fieldOffset(sb, "block_size", 0),
                    "a power of two from " + PdbLimits.MIN_BLOCK_SIZE + " to " + PdbLimits.MAX_BLOCK_SIZE
                            + " (PdbLimits.MAX_BLOCK_SIZE)", size + " (" + hex(size) + ")");
        }
        return (int) size;
    }

    /** The directory as a stream over the blocks the block map names. */
    private static MsfStream directoryStream(ImageBytes file, MsfSuperblock sb, int blockSize, long numBlocks)
            throws PeFormatException {
        long len = sb.lenDirectory();
        long maxLen = Math.min(PdbLimits.MAX_DIRECTORY_SIZE, (long) blockSize / BLOCK_INDEX_SIZE * blockSize);
        if (len < BLOCK_INDEX_SIZE || len > maxLen) {
            throw new PeFormatException(SUPERBLOCK, "len_directory", fieldOffset(sb, "len_directory", 0),
                    "4 to " + maxLen + " bytes (one block map block of indices, PdbLimits.MAX_DIRECTORY_SIZE)",
                    len + " (" + hex(len) + ")");
        }
        long mapBlock = sb.blockMapBlock();
        if (mapBlock == 0 || mapBlock >= numBlocks) {
            throw new PeFormatException(SUPERBLOCK, "block_map_block", fieldOffset(sb, "block_map_block", 0),
                    "a block from 1 to " + (numBlocks - 1), String.valueOf(mapBlock));
        }
        int count = (int) ((len + blockSize - 1) / blockSize);
        long mapOffset = mapBlock * blockSize;
        MsfSuperblock.BlockIndexList map = KaitaiParse.parse(file, "msf_block_map", mapOffset,
                (long) count * BLOCK_INDEX_SIZE, io -> new MsfSuperblock.BlockIndexList(io, count));
        int[] blocks = new int[count];
        for (int i = 0; i < count; i++) {
            long block = map.indices().get(i);
            if (block == 0 || block >= numBlocks) {
                throw new PeFormatException("msf_block_map", "indices[" + i + "]",
                        mapOffset + (long) i * BLOCK_INDEX_SIZE, "a block from 1 to " + (numBlocks - 1),
                        String.valueOf(block));
            }
            blocks[i] = (int) block;
        }
        return new MsfStream(file, DIRECTORY, blockSize, blocks, len);
    }

    private static MsfFile readDirectory(ImageBytes file, MsfStream dir, int blockSize, long numBlocks)
            throws PeFormatException {
        long len = dir.size();
        MsfStreamDirectory d = dir.parse(DIRECTORY, 0, len, io -> new MsfStreamDirectory(io, blockSize));
        long n = d.numStreams();
        long maxStreams = Math.min(PdbLimits.MAX_STREAMS, (len - BLOCK_INDEX_SIZE) / BLOCK_INDEX_SIZE);
        if (n > maxStreams) {
            throw new PeFormatException(DIRECTORY, "num_streams", dir.fileOffset(0), "at most " + maxStreams
                    + " (the sizes that fit the directory, PdbLimits.MAX_STREAMS)", n + " (" + hex(n) + ")");
        }
        int count = (int) n;
        List<MsfStreamDirectory.StreamSize> sizes = KaitaiParse.parse(d._io(), DIRECTORY, dir.fileOffset(0), len,
                io -> d.streams());
        long[] streamSizes = new long[count];
        long totalBlocks = 0;
        for (int i = 0; i < count; i++) {
            long size = sizes.get(i).lenStream();
            long sizeOffset = dir.fileOffset(BLOCK_INDEX_SIZE + (long) i * BLOCK_INDEX_SIZE);
            if (size == NIL_STREAM) {
                streamSizes[i] = -1;
                continue;
            }
            totalBlocks += (size + blockSize - 1) / blockSize;
            if (totalBlocks > numBlocks) {
                throw new PeFormatException(DIRECTORY, "streams[" + i + "].len_stream", sizeOffset,
                        "a size whose blocks, with those of the streams before it, fit the file's " + numBlocks
                                + " blocks", size + " (" + hex(size) + ")");
            }
            streamSizes[i] = size;
        }
        long needed = BLOCK_INDEX_SIZE * (1 + count + totalBlocks);
        if (needed > len) {
            throw new PeFormatException(SUPERBLOCK, "len_directory", -1, "at least " + needed
                    + " bytes (the stream count, sizes and block lists the directory declares)", String.valueOf(len));
        }
        List<MsfStreamDirectory.BlockList> lists = KaitaiParse.parse(d._io(), DIRECTORY, dir.fileOffset(0), len,
                io -> d.streamBlocks());
        int[][] streamBlocks = new int[count][];
        long entry = 1 + count;
        for (int i = 0; i < count; i++) {
            List<Long> indices = lists.get(i).blocks();
            int[] blocks = new int[indices.size()];
            for (int j = 0; j < blocks.length; j++, entry++) {
                long block = indices.get(j);
                if (block == 0 || block >= numBlocks) {
                    throw new PeFormatException(DIRECTORY, "stream_blocks[" + i + "].blocks[" + j + "]",
                            dir.fileOffset(entry * BLOCK_INDEX_SIZE), "a block from 1 to " + (numBlocks - 1),
                            String.valueOf(block));
                }
                blocks[j] = (int) block;
            }
            streamBlocks[i] = blocks;
        }
        return new MsfFile(file, blockSize, streamSizes, streamBlocks);
    }

    private static boolean startsWith(ImageBytes file, String prefix) {
        byte[] head = file.copyZeroPadded(0, prefix.length());
        return new String(head, StandardCharsets.ISO_8859_1).equals(prefix);
    }

    /** The first bytes of a file as a quoted string with non-printable bytes escaped. */
    private static String quoted(byte[] bytes) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02x", c));
            }
        }
        return out.append('"').toString();
    }
}
