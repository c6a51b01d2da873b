package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.DebugDirectory;
import io.kaitai.struct.ByteBufferKaitaiStream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.DirectoryImages.AMD64;
import static dev.hotpatch.pe.DirectoryImages.READ_ONLY;
import static dev.hotpatch.pe.DirectoryImages.read;
import static dev.hotpatch.pe.DirectoryImages.rejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The debug directory: its entries and the CodeView, REPRO and EX_DLLCHARACTERISTICS data. */
class DebugDirectoryReaderTest {
    /** .rdata at RVA 0x2000 is the only section; its raw data starts at file offset 0x400. */
    private static long fileOffset(long rva) {
        return 0x400 + rva - 0x2000;
    }

    private record Data(long type, long rva, long size, boolean byRvaOnly) {}

    /** Lays out the data blobs first, then the directory, and returns the image. */
    private static byte[] image(List<byte[]> blobs, long[] types, int directoryEntries) {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long[] rvas = new long[blobs.size()];
        for (int i = 0; i < blobs.size(); i++) {
            rvas[i] = r.align(4).bytes(blobs.get(i));
        }
        long table = r.align(4).here();
        for (int i = 0; i < blobs.size(); i++) {
            r.words(0, 0x5f000000);
            r.u16(0);
            r.u16(0);
            r.u32(types[i]);
            r.u32(blobs.get(i).length);
            r.u32(blobs.get(i).length == 0 ? 0 : rvas[i]);
            r.u32(blobs.get(i).length == 0 ? 0 : fileOffset(rvas[i]));
        }
        return DirectoryImages.pe32Plus(AMD64).section(".rdata", r, READ_ONLY)
                .directory(DirectoryKind.DEBUG, table, directoryEntries * 28L).build();
    }

    private static byte[] rsds(String path) {
        DirectoryImages.Bytes b = new DirectoryImages.Bytes(0);
        b.u32(0x53445352);
        b.u32(0x22571533);
        b.u16(0x270c);
        b.u16(0xac78);
        b.bytes(HexFormat.of().parseHex("4c4c44205044422e"));
        b.u32(1);
        b.bytes((path + "\0").getBytes(StandardCharsets.UTF_8));
        return b.toArray();
    }

    @Test
    void entriesWithCodeViewReproAndExtendedCharacteristics() throws Exception {
        byte[] hash = new byte[32];
        for (int i = 0; i < 32; i++) {
            hash[i] = (byte) i;
        }
        DirectoryImages.Bytes repro = new DirectoryImages.Bytes(0);
        repro.u32(32);
        repro.bytes(hash);
        DirectoryImages.Bytes nb10 = new DirectoryImages.Bytes(0);
        nb10.words(0x3031424e, 0);
        nb10.u32(0x5f000000);
        nb10.u32(2);
        nb10.bytes("old.pdb\0".getBytes(StandardCharsets.US_ASCII));
        List<byte[]> blobs = List.of(rsds("C:\\b\\x.pdb"), repro.toArray(), new byte[] {1, 0, 0, 0},
                new byte[] {9, 9, 9, 9}, new byte[0], nb10.toArray(), new byte[0]);
        long[] types = {2, 16, 20, 13, 99, 2, 16};
        PeImage image = read(image(blobs, types, blobs.size()));

        List<DebugEntry> entries = image.debugEntries();
        assertEquals(List.of("codeview", "repro", "ex_dllcharacteristics", "pogo", "type_99", "codeview", "repro"),
                entries.stream().map(DebugEntry::typeName).toList());
        CodeViewInfo cv = image.codeView().orElseThrow();
        assertEquals(new CodeViewInfo("RSDS", "{22571533-270c-ac78-4c4c-44205044422e}", 1, "C:\\b\\x.pdb"), cv);
        assertEquals("22571533270CAC784C4C44205044422E1", cv.symbolServerKey());
        assertArrayEquals(hash, ((DebugInfo.Repro) entries.get(1).info().orElseThrow()).hash());
        assertEquals(new DebugInfo.ExDllCharacteristics(1), entries.get(2).info().orElseThrow());
        assertEquals(Optional.empty(), entries.get(3).info());
        assertEquals(new CodeViewInfo("NB10", "5f000000", 2, "old.pdb"), entries.get(5).info().orElseThrow());
        assertEquals(0, ((DebugInfo.Repro) entries.get(6).info().orElseThrow()).hash().length);
        assertEquals(List.of(), image.warnings());
    }

    @Test
    void dataFoundByRvaWhenItHasNoFileOffset() throws Exception {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long data = r.bytes(rsds("a.pdb"));
        long table = r.align(4).here();
        r.words(0, 0);
        r.u32(0);
        r.words(2, rsds("a.pdb").length);
        r.u32(data);
        r.u32(0);
        r.zeros(5);                                  // a directory size that is not a multiple of 28
        PeImage image = read(DirectoryImages.pe32Plus(AMD64).section(".rdata", r, READ_ONLY)
                .directory(DirectoryKind.DEBUG, table, 33).build());
        assertEquals("a.pdb", image.codeView().orElseThrow().pdbPath());
        assertTrue(image.warnings().get(0).contains("not a multiple of the 28-byte entry size"),
                image.warnings().toString());
    }

    @Test
    void entrySizeMatchesTheKsyLayout() {
        DebugDirectory d = new DebugDirectory(new ByteBufferKaitaiStream(new byte[64]), 1);
        assertEquals(DebugDirectoryReader.ENTRY_SIZE, d._io().pos());
    }

    // --- malformed ---

    @Test
    void moreEntriesThanTheLimit() {
        byte[] image = image(List.of(new byte[4]), new long[] {13}, Limits.MAX_DEBUG_ENTRIES + 1);
        rejected(image, "data_directory[debug]", "len");
    }

    @Test
    void dataPastTheEndOfTheFile() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        long table = r.here();
        r.words(0, 0);
        r.u32(0);
        r.words(2, 0x100);
        r.u32(0);
        r.u32(0x7ff0);
        PeFormatException e = rejected(DirectoryImages.pe32Plus(AMD64).section(".rdata", r, READ_ONLY)
                .directory(DirectoryKind.DEBUG, table, 28).build(), "debug_entry[0]", "ofs_data");
        assertEquals(0x400 + 24, e.offset());
    }

    @Test
    void reproHashLongerThanItsData() {
        byte[] repro = {(byte) 0x40, 0, 0, 0, 1, 2, 3, 4};
        rejected(image(List.of(repro), new long[] {16}, 1), "debug_entry[0].repro", "len_hash");
    }

    @Test
    void reproDataShorterThanItsLength() {
        rejected(image(List.of(new byte[] {1, 2}), new long[] {16}, 1), "debug_entry[0]", "len_data");
    }

    @Test
    void unterminatedPdbPath() {
        byte[] cv = rsds("x.pdb");
        byte[] cut = java.util.Arrays.copyOf(cv, cv.length - 1);
        rejected(image(List.of(cut), new long[] {2}, 1), "debug_entry[0].codeview", "extent");
    }

    @Test
    void codeViewLongerThanTheLimit() {
        byte[] cv = rsds("p".repeat(Limits.MAX_CODEVIEW_LENGTH));
        rejected(image(List.of(cv), new long[] {2}, 1), "debug_entry[0]", "len_data");
    }
}
