package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.Arm64ExceptionTable;
import dev.hotpatch.kaitai.layout.X64ExceptionTable;
import io.kaitai.struct.ByteBufferKaitaiStream;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hotpatch.pe.DirectoryImages.ARM64;
import static dev.hotpatch.pe.DirectoryImages.AMD64;
import static dev.hotpatch.pe.DirectoryImages.CODE;
import static dev.hotpatch.pe.DirectoryImages.READ_ONLY;
import static dev.hotpatch.pe.DirectoryImages.read;
import static dev.hotpatch.pe.DirectoryImages.rejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exception directory (.pdata) of x64 and ARM64 images, and its unwind data. */
class ExceptionDirectoryReaderTest {
    private static final int EHANDLER = 1;
    private static final int CHAININFO = 4;
    private static final byte[] TEXT = new byte[0x400];

    /** Writes an x64 UNWIND_INFO header and its code slots (padded to an even count); the caller adds the tail. */
    private static long unwindInfo(DirectoryImages.Bytes b, int flags, int prolog, int frameRegister, int frameOffset,
                                   int... slots) {
        long at = b.align(4).u8(1 | flags << 3);
        b.u8(prolog);
        b.u8(slots.length);
        b.u8(frameRegister | frameOffset << 4);
        for (int slot : slots) {
            b.u16(slot);
        }
        if (slots.length % 2 != 0) {
            b.u16(0);
        }
        return at;
    }

    private static long runtimeFunction(DirectoryImages.Bytes b, long begin, long end, long unwind) {
        long at = b.u32(begin);
        b.u32(end);
        b.u32(unwind);
        return at;
    }

    /** An x64 image whose .rdata at 0x2000 is {@code rdata}, with the exception directory at {@code table}. */
    private static byte[] x64(DirectoryImages.Bytes rdata, long table, long tableSize) {
        return DirectoryImages.pe32Plus(AMD64)
                .section(".text", 0x1000, TEXT, 0, CODE)
                .section(".rdata", rdata, READ_ONLY)
                .directory(DirectoryKind.EXCEPTION, table, tableSize)
                .build();
    }

    @Test
    void x64EntriesWithHandlerChainsAndSharedUnwindInfo() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u0 = unwindInfo(r, EHANDLER, 4, 0, 0, 0x5004);           // push rbp at offset 4
        r.u32(0x1300);                                                 // handler
        r.u32(0);                                                      // handler data
        long u1 = unwindInfo(r, 0, 8, 5, 2, 0x0308, 0x0105, 0x0030);  // set_fp, alloc_large 0x30 * 8
        long u2 = unwindInfo(r, CHAININFO, 0, 0, 0);
        runtimeFunction(r, 0x1000, 0x1040, u0);
        long u3 = unwindInfo(r, CHAININFO, 0, 0, 0);
        runtimeFunction(r, 0x1080, 0x10a0, u2);
        long table = r.align(4).here();
        runtimeFunction(r, 0x1000, 0x1040, u0);
        long f1 = runtimeFunction(r, 0x1040, 0x1080, u1);
        runtimeFunction(r, 0x1080, 0x10a0, u2);
        runtimeFunction(r, 0x10a0, 0x10b0, u3);
        runtimeFunction(r, 0x10b0, 0x10c0, u1);
        runtimeFunction(r, 0x10c0, 0x10d0, f1 + 1);                   // RUNTIME_FUNCTION_INDIRECT to f1
        PeImage image = read(x64(r, table, 6 * 12));

        RuntimeFunctions rf = image.runtimeFunctions();
        assertEquals(List.of(
                new RuntimeFunction(0x1000, 0x1040, u0, UnwindForm.X64, false, 0x1000, 0x1300),
                new RuntimeFunction(0x1040, 0x1080, u1, UnwindForm.X64, false, 0x1040, -1),
                new RuntimeFunction(0x1080, 0x10a0, u2, UnwindForm.X64, true, 0x1000, 0x1300),
                new RuntimeFunction(0x10a0, 0x10b0, u3, UnwindForm.X64, true, 0x1000, 0x1300),
                new RuntimeFunction(0x10b0, 0x10c0, u1, UnwindForm.X64, false, 0x10b0, -1),
                new RuntimeFunction(0x10c0, 0x10d0, u1, UnwindForm.X64, true, 0x1040, -1)), rf);
        assertTrue(rf.isSorted());
        assertEquals(3, rf.indexOf(0x10a8));
        assertEquals(-1, rf.indexOf(0x10d0));
        assertEquals(List.of(), image.warnings());
    }

    @Test
    void x64UnwindInfoIsReadInFullOnDemand() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u0 = unwindInfo(r, 0, 8, 5, 2, 0x0308, 0x0105, 0x0030);
        long u1 = unwindInfo(r, CHAININFO, 0, 0, 0);
        runtimeFunction(r, 0x1000, 0x1040, u0);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1040, u0);
        runtimeFunction(r, 0x1040, 0x1050, u1);
        RuntimeFunctions rf = read(x64(r, table, 24)).runtimeFunctions();

        X64UnwindInfo info = rf.x64UnwindInfo(0);
        assertEquals(1, info.version());
        assertEquals(8, info.prologSize());
        assertEquals(5, info.frameRegister());
        assertEquals(32, info.frameOffset());
        assertEquals(List.of(new X64UnwindInfo.Code(8, 3, 0, 0x0308), new X64UnwindInfo.Code(5, 1, 0, 0x0105),
                new X64UnwindInfo.Code(0x30, 0, 0, 0x0030)), info.codes());
        assertNull(info.chained());
        assertEquals(-1, info.handlerRva());
        assertEquals(new X64UnwindInfo.ChainedFunction(0x1000, 0x1040, u0), rf.x64UnwindInfo(1).chained());
    }

    @Test
    void x64PaddingEntriesAreSkippedAndOddTablesWarned() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u0 = unwindInfo(r, 0, 0, 0, 0);
        long table = r.here();
        runtimeFunction(r, 0x1040, 0x1080, u0);
        runtimeFunction(r, 0x1000, 0x1040, u0);     // out of order
        runtimeFunction(r, 0x1080, 0x1080, u0);     // empty (GNU ld keeps such entries)
        runtimeFunction(r, 0, 0, 0);                // padding
        r.zeros(4);
        PeImage image = read(x64(r, table, 4 * 12 + 4));
        assertEquals(3, image.runtimeFunctions().size());
        assertFalse(image.runtimeFunctions().isSorted());
        assertEquals(1, image.runtimeFunctions().indexOf(0x1000));
        List<String> w = image.warnings();
        assertEquals(4, w.size(), w.toString());
        assertTrue(w.get(0).contains("not a multiple of the 12-byte entry size"), w.get(0));
        assertTrue(w.get(1).contains("runtime_function[2] at RVA 0x1080 covers no bytes"), w.get(1));
        assertTrue(w.get(2).contains("1 all-zero runtime_function entries"), w.get(2));
        assertTrue(w.get(3).contains("not sorted"), w.get(3));
    }

    @Test
    void x86ImagesHaveNoFunctionTable() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.zeros(24);
        PeImage image = read(DirectoryImages.pe32().section(".text", 0x1000, TEXT, 0, CODE)
                .section(".rdata", r, READ_ONLY).directory(DirectoryKind.EXCEPTION, 0x2000, 24).build());
        assertEquals(0, image.runtimeFunctions().size());
        assertTrue(image.warnings().get(0).contains("x86 has none"), image.warnings().toString());
    }

    @Test
    void entrySizesMatchTheKsyLayouts() {
        X64ExceptionTable x64 = new X64ExceptionTable(new ByteBufferKaitaiStream(new byte[64]), 1);
        assertEquals(ExceptionDirectoryReader.X64_ENTRY_SIZE, x64._io().pos());
        Arm64ExceptionTable arm64 = new Arm64ExceptionTable(new ByteBufferKaitaiStream(new byte[64]), 1);
        assertEquals(ExceptionDirectoryReader.ARM64_ENTRY_SIZE, arm64._io().pos());
    }

    // --- ARM64 ---

    private static long packed(int flag, int functionLength, int regF, int regI, int h, int cr, int frameSize) {
        return flag | (long) functionLength << 2 | (long) regF << 13 | (long) regI << 16 | (long) h << 20
                | (long) cr << 21 | (long) frameSize << 23;
    }

    private static long xdataHeader(int functionLength, int x, int e, int epilogCount, int codeWords) {
        return functionLength | (long) x << 20 | (long) e << 21 | (long) epilogCount << 22 | (long) codeWords << 27;
    }

    private static byte[] arm64(DirectoryImages.Bytes rdata, long table, long tableSize) {
        return DirectoryImages.pe32Plus(ARM64)
                .section(".text", 0x1000, TEXT, 0, CODE)
                .section(".rdata", rdata, READ_ONLY)
                .directory(DirectoryKind.EXCEPTION, table, tableSize)
                .build();
    }

    @Test
    void arm64PackedAndXdataEntriesWithFragmentsAndHandlers() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long x0 = r.u32(xdataHeader(0x10, 1, 1, 1, 1));         // one epilog in the header, a handler
        r.bytes((byte) 0xe1, (byte) 0xe4, (byte) 0xe3, (byte) 0xe3);
        r.u32(0x1200);
        r.u32(0);
        long x1 = r.u32(xdataHeader(4, 0, 0, 1, 1));            // a fragment: codes begin with end_c
        r.u32(2 | 1 << 22);                                      // epilog at instruction 2, code index 1
        r.bytes((byte) 0xe5, (byte) 0xe1, (byte) 0xe4, (byte) 0xe3);
        long x2 = r.u32(xdataHeader(8, 0, 0, 0, 0));            // extended header
        r.u32(2 | 1 << 16);                                      // 2 epilog scopes, 1 code word
        r.u32(3);
        r.u32(5);
        r.bytes((byte) 0xe4, (byte) 0xe3, (byte) 0xe3, (byte) 0xe3);
        long table = r.here();
        r.u32(0x1000);
        r.u32(packed(1, 0x10, 0, 2, 1, 3, 4));
        r.u32(0x1040);
        r.u32(packed(2, 8, 0, 0, 0, 0, 0));
        r.u32(0x1080);
        r.u32(x0);
        r.u32(0x10c0);
        r.u32(x1);
        r.u32(0x10d0);
        r.u32(x2);
        RuntimeFunctions rf = read(arm64(r, table, 5 * 8)).runtimeFunctions();

        assertEquals(List.of(
                new RuntimeFunction(0x1000, 0x1040, -1, UnwindForm.ARM64_PACKED, false, 0x1000, -1),
                new RuntimeFunction(0x1040, 0x1060, -1, UnwindForm.ARM64_PACKED, true, -1, -1),
                new RuntimeFunction(0x1080, 0x10c0, x0, UnwindForm.ARM64_XDATA, false, 0x1080, 0x1200),
                new RuntimeFunction(0x10c0, 0x10d0, x1, UnwindForm.ARM64_XDATA, true, -1, -1),
                new RuntimeFunction(0x10d0, 0x10f0, x2, UnwindForm.ARM64_XDATA, false, 0x10d0, -1)), rf);

        assertEquals(new Arm64PackedUnwind(1, 0x10, 0, 2, true, 3, 4), rf.arm64PackedUnwind(0));
        assertEquals(64, rf.arm64PackedUnwind(0).frameSizeBytes());
        Arm64XData withHandler = rf.arm64XData(2);
        assertTrue(withHandler.singleEpilog());
        assertEquals(1, withHandler.epilogCount());
        assertEquals(0x1200, withHandler.handlerRva());
        Arm64XData fragment = rf.arm64XData(3);
        assertTrue(fragment.isFragment());
        assertEquals(List.of(new Arm64XData.EpilogScope(2, 1)), fragment.epilogScopes());
        Arm64XData extended = rf.arm64XData(4);
        assertEquals(2, extended.epilogCount());
        assertEquals(1, extended.codeWords());
        assertEquals(List.of(new Arm64XData.EpilogScope(3, 0), new Arm64XData.EpilogScope(5, 0)),
                extended.epilogScopes());
        assertArrayEquals(new byte[] {(byte) 0xe4, (byte) 0xe3, (byte) 0xe3, (byte) 0xe3}, extended.unwindCodes());
    }

    // --- malformed tables ---

    @Test
    void tableOutsideTheFile() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.zeros(12);
        rejected(x64(r, 0x2000, 0x1000 * 12), "data_directory[exception]", "rva");
    }

    @Test
    void tableLongerThanTheLimit() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.zeros(12);
        PeFormatException e = rejected(x64(r, 0x2000, (Limits.MAX_RUNTIME_FUNCTIONS + 1L) * 12),
                "data_directory[exception]", "len");
        assertEquals(0x40 + 24 + 112 + 3 * 8 + 4, e.offset());
    }

    @Test
    void endBeforeBegin() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u = unwindInfo(r, 0, 0, 0, 0);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, u);
        runtimeFunction(r, 0x1040, 0x1030, u);
        PeFormatException e = rejected(x64(r, table, 24), "runtime_function[1]", "rva_end");
        assertEquals(0x800 + (table - 0x2000) + 12 + 4, e.offset());   // .rdata's raw data is at 0x800
        assertEquals("0x1030", e.actual());
    }

    @Test
    void endPastTheImage() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u = unwindInfo(r, 0, 0, 0, 0);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x9000, u);
        rejected(x64(r, table, 12), "runtime_function[0]", "rva_end");
    }

    @Test
    void unwindInfoOutsideTheFile() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, 0x7000);
        rejected(x64(r, table, 12), "runtime_function[0]", "rva_unwind_info");
    }

    @Test
    void unwindInfoOfUnknownVersion() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u = r.u32(3);                       // version 3
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, u);
        rejected(x64(r, table, 12), "runtime_function[0].unwind_info", "version");
    }

    @Test
    void unwindCodesRunPastTheSection() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, 0x2010);
        r.zeros(4);
        r.u32(1 | 255 << 16);                  // version 1, 255 code slots, but the section ends first
        byte[] image = DirectoryImages.pe32Plus(AMD64).section(".text", 0x1000, TEXT, 0, CODE)
                .section(".rdata", 0x2000, r.toArray(), 0x1000, READ_ONLY)
                .directory(DirectoryKind.EXCEPTION, table, 12).build();
        // The raw data is padded to 0x200 bytes: 0x1f0 are backed from the header on, 0x204 are needed.
        rejected(image, "runtime_function[0].unwind_info", "num_unwind_codes");
    }

    @Test
    void chainThatLoops() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long a = unwindInfo(r, CHAININFO, 0, 0, 0);
        long chainA = r.here();
        runtimeFunction(r, 0x1000, 0x1010, 0);
        long b = unwindInfo(r, CHAININFO, 0, 0, 0);
        runtimeFunction(r, 0x1010, 0x1020, a);
        r.patchU32(chainA + 8, b);               // a chains to b, b chains to a
        long table = r.here();
        runtimeFunction(r, 0x1020, 0x1030, a);
        rejected(x64(r, table, 12), "runtime_function[0].unwind_info", "chained_function");
    }

    @Test
    void chainToItself() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long a = unwindInfo(r, CHAININFO, 0, 0, 0);
        runtimeFunction(r, 0x1000, 0x1010, a);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, a);
        rejected(x64(r, table, 12), "runtime_function[0].unwind_info.chained_function", "rva_unwind_info");
    }

    @Test
    void handlerOutsideTheImage() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long u = unwindInfo(r, EHANDLER, 0, 0, 0);
        r.u32(0x7fff0000);
        long table = r.here();
        runtimeFunction(r, 0x1000, 0x1010, u);
        rejected(x64(r, table, 12), "runtime_function[0].unwind_info", "rva_exception_handler");
    }

    @Test
    void arm64ReservedFlag() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.u32(0x1000);
        r.u32(packed(3, 4, 0, 0, 0, 0, 0));
        PeFormatException e = rejected(arm64(r, table, 8), "runtime_function[0]", "flag");
        assertEquals(0x800 + 4, e.offset());
    }

    @Test
    void arm64XdataOfUnknownVersion() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long x = r.u32(xdataHeader(4, 0, 1, 0, 1) | 1L << 18);
        r.u32(0xe3e3e3e4L);
        long table = r.u32(0x1000);
        r.u32(x);
        rejected(arm64(r, table, 8), "runtime_function[0].xdata", "version");
    }

    @Test
    void arm64XdataCodesRunPastTheSection() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.u32(0x1000);
        r.u32(0x2008);
        r.u32(xdataHeader(4, 0, 0, 0, 0));
        r.u32(0xffff | 0xffL << 16);             // 65535 epilog scopes, 255 code words
        rejected(arm64(r, table, 8), "runtime_function[0].xdata", "code_words");
    }

    @Test
    void arm64FunctionLengthPastTheImage() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.u32(0x2f00);
        r.u32(packed(1, 0x7ff, 0, 0, 0, 0, 0));
        rejected(arm64(r, table, 8), "runtime_function[0]", "function_length");
    }
}
