package dev.hotpatch.pdb;

import dev.hotpatch.pe.PeFormatException;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.hotpatch.pdb.TestPdbs.assertRejected;
import static dev.hotpatch.pdb.TestPdbs.gproc32;
import static dev.hotpatch.pdb.TestPdbs.record;
import static dev.hotpatch.pdb.TestPdbs.symbols;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fixture per malformed condition: each is refused with the checked error naming the structure and field,
 * and claims of huge sizes or counts are refused before anything is allocated for them.
 */
class PdbMalformedTest {
    private static final int BLOCK = 512;
    private static final int SB_BLOCK_SIZE = 32;
    private static final int SB_NUM_BLOCKS = 40;
    private static final int SB_LEN_DIRECTORY = 44;
    private static final int SB_BLOCK_MAP = 52;
    /** Largest allocation a refused file may cause: the small copies a reader makes, never a claimed size. */
    private static final long ALLOCATION_BOUND = 8 << 20;

    private static byte[] valid() {
        return new TestPdbs.Pdb().module("a.obj", symbols(gproc32("f", 1, 0, 4))).build();
    }

    private static byte[] withU32(byte[] pdb, int offset, long value) {
        byte[] out = pdb.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, (int) value);
        return out;
    }

    private static int u32(byte[] pdb, int offset) {
        return ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    /** File offset of the stream directory (the test builder writes it in one block). */
    private static int directory(byte[] pdb) {
        return u32(pdb, u32(pdb, SB_BLOCK_MAP) * BLOCK) * BLOCK;
    }

    /** Asserts the refusal and that reading allocated no more than a few small copies. */
    private static PeFormatException refusedCheaply(byte[] pdb, String structure, String field) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        PeFormatException e = assertRejected(pdb, structure, field);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < ALLOCATION_BOUND, "reading allocated " + allocated + " bytes: " + e.getMessage());
        return e;
    }

    @Test
    void notAnMsfFile() {
        byte[] pdb = valid();
        pdb[5] = 'X';
        PeFormatException e = assertRejected(pdb, "msf_superblock", "magic");
        assertTrue(e.getMessage().contains("MSF 7.0"), e.getMessage());
    }

    @Test
    void pdb20FileIsNamedAsSuch() {
        byte[] pdb = Arrays.copyOf("Microsoft C/C++ program database 2.00\r\n\u001aJG\0\0".getBytes(
                StandardCharsets.ISO_8859_1), 1024);
        PeFormatException e = assertRejected(pdb, "msf_superblock", "magic");
        assertTrue(e.getMessage().contains("PDB 2.0"), e.getMessage());
    }

    @Test
    void fileShorterThanTheSuperblock() {
        assertRejected(Arrays.copyOf(valid(), 40), "msf_superblock", "magic");
    }

    @Test
    void blockSizeNotAPowerOfTwo() {
        assertRejected(withU32(valid(), SB_BLOCK_SIZE, 1000), "msf_superblock", "block_size");
    }

    @Test
    void moreBlocksThanTheFileHolds() {
        PeFormatException e = refusedCheaply(withU32(valid(), SB_NUM_BLOCKS, 0xffffffffL), "msf_superblock",
                "num_blocks");
        assertEquals(SB_NUM_BLOCKS, e.offset());
    }

    @Test
    void directoryLargerThanOneBlockMapBlock() {
        refusedCheaply(withU32(valid(), SB_LEN_DIRECTORY, 0xfffffff0L), "msf_superblock", "len_directory");
    }

    @Test
    void blockMapOutsideTheFile() {
        assertRejected(withU32(valid(), SB_BLOCK_MAP, 100000), "msf_superblock", "block_map_block");
    }

    @Test
    void hugeStreamCount() {
        byte[] pdb = valid();
        refusedCheaply(withU32(pdb, directory(pdb), 0xffffffffL), "msf_stream_directory", "num_streams");
    }

    @Test
    void hugeStreamSize() {
        byte[] pdb = valid();
        PeFormatException e = refusedCheaply(withU32(pdb, directory(pdb) + 4 + 4 * 3, 0xfffffff0L),
                "msf_stream_directory", "streams[3].len_stream");
        assertEquals(directory(pdb) + 16, e.offset());
    }

    @Test
    void blockIndexPastTheLastBlock() {
        byte[] pdb = valid();
        int numStreams = u32(pdb, directory(pdb));
        // stream 0 is empty, so the first block index is stream 1's
        PeFormatException e = assertRejected(withU32(pdb, directory(pdb) + 4 + 4 * numStreams, 9999),
                "msf_stream_directory", "stream_blocks[1].blocks[0]");
        assertTrue(e.getMessage().contains("found 9999"), e.getMessage());
    }

    @Test
    void oldInfoStreamVersion() {
        List<byte[]> streams = new TestPdbs.Pdb().streams();
        ByteBuffer.wrap(streams.get(1)).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 19970604);
        assertRejected(TestPdbs.msf(BLOCK, streams), "pdb_info_stream", "version");
    }

    @Test
    void negativeModuleInfoSize() {
        List<byte[]> streams = new TestPdbs.Pdb().streams();
        ByteBuffer.wrap(streams.get(3)).order(ByteOrder.LITTLE_ENDIAN).putInt(24, -8);
        assertRejected(TestPdbs.msf(BLOCK, streams), "dbi_stream", "len_module_info");
    }

    @Test
    void substreamsLongerThanTheDbiStream() {
        List<byte[]> streams = new TestPdbs.Pdb().streams();
        ByteBuffer.wrap(streams.get(3)).order(ByteOrder.LITTLE_ENDIAN).putInt(28, 0x7fffffff);
        refusedCheaply(TestPdbs.msf(BLOCK, streams), "dbi_stream", "len_section_contributions");
    }

    @Test
    void moduleNameWithoutTerminator() {
        List<byte[]> streams = new TestPdbs.Pdb().module("a.obj", symbols()).streams();
        byte[] dbi = streams.get(3);
        int names = 64 + 64;
        Arrays.fill(dbi, names, dbi.length, (byte) 'x');
        assertRejected(TestPdbs.msf(BLOCK, streams), "dbi_stream.module_info[0]", "module_name");
    }

    @Test
    void moduleSymbolsLongerThanTheirStream() {
        List<byte[]> streams = new TestPdbs.Pdb().module("a.obj", symbols(gproc32("f", 1, 0, 4))).streams();
        ByteBuffer.wrap(streams.get(3)).order(ByteOrder.LITTLE_ENDIAN).putInt(64 + 36, 0x7ffffff0);
        refusedCheaply(TestPdbs.msf(BLOCK, streams), "dbi_stream.module_info[0]", "len_symbols");
    }

    @Test
    void moduleStreamThatDoesNotExist() {
        List<byte[]> streams = new TestPdbs.Pdb().module("a.obj", symbols(gproc32("f", 1, 0, 4))).streams();
        ByteBuffer.wrap(streams.get(3)).order(ByteOrder.LITTLE_ENDIAN).putShort(64 + 34, (short) 500);
        assertRejected(TestPdbs.msf(BLOCK, streams), "dbi_stream.module_info[0]", "symbol_stream");
    }

    @Test
    void recordLengthShorterThanItsKind() {
        byte[] pdb = new TestPdbs.Pdb().module("a.obj", symbols(new byte[] {1, 0, 0x10, 0x11})).build();
        assertRejected(pdb, "module_stream[0].symbol[0]", "len_record");
    }

    @Test
    void recordRunningPastItsRange() {
        byte[] pdb = new TestPdbs.Pdb().module("a.obj", symbols(new byte[] {(byte) 0xf0, 0x7f, 0x10, 0x11})).build();
        assertRejected(pdb, "module_stream[0].symbol[0]", "len_record");
    }

    @Test
    void procedureRecordTooShortForItsFields() {
        byte[] pdb = new TestPdbs.Pdb().module("a.obj", symbols(record(0x1110, new byte[12]))).build();
        PeFormatException e = assertRejected(pdb, "module_stream[0].symbol[0]", "len_record");
        assertTrue(e.getMessage().contains("S_GPROC32"), e.getMessage());
    }

    @Test
    void publicNameWithoutTerminator() {
        byte[] body = new byte[16];
        Arrays.fill(body, 10, 16, (byte) 'p');
        byte[] pdb = new TestPdbs.Pdb().symbolRecords(new TestPdbs.Bytes().u16(18).u16(0x110e).bytes(body)
                .toArray()).build();
        assertRejected(pdb, "symbol_record_stream.symbol[0]", "len_record");
    }

    /** A PDB with one data symbol, so that its TPI stream is read for the symbol's size. */
    private static TestPdbs.Pdb withData() {
        return new TestPdbs.Pdb().symbolRecords(TestPdbs.gdata32("d", 0x74, 3, 0));
    }

    @Test
    void hugeTypeIndexEnd() {
        List<byte[]> streams = withData().streams();
        ByteBuffer.wrap(streams.get(2)).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0x7fffffff);
        refusedCheaply(TestPdbs.msf(BLOCK, streams), "tpi_stream", "type_index_end");
    }

    @Test
    void fewerTypeRecordsThanIndices() {
        List<byte[]> streams = withData().types(TestPdbs.lfArglist(), TestPdbs.lfArglist()).streams();
        ByteBuffer.wrap(streams.get(2)).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0x1003);
        assertRejected(TestPdbs.msf(BLOCK, streams), "tpi_stream", "type_index_end");
    }

    @Test
    void typeRecordsPastTheStream() {
        List<byte[]> streams = withData().streams();
        ByteBuffer.wrap(streams.get(2)).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x10000);
        assertRejected(TestPdbs.msf(BLOCK, streams), "tpi_stream", "len_type_records");
    }

    @Test
    void missingInfoStream() {
        List<byte[]> streams = new TestPdbs.Pdb().streams().subList(0, 1);
        PeFormatException e = assertThrows(PeFormatException.class, () -> TestPdbs.read(TestPdbs.msf(BLOCK,
                streams)));
        assertTrue(e.getMessage().contains("info_stream (stream 1)"), e.getMessage());
    }
}
