package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.hotpatch.pe.BaseRelocationType.ABSOLUTE;
import static dev.hotpatch.pe.BaseRelocationType.ARM_MOV32;
import static dev.hotpatch.pe.BaseRelocationType.DIR64;
import static dev.hotpatch.pe.BaseRelocationType.HIGH;
import static dev.hotpatch.pe.BaseRelocationType.HIGHADJ;
import static dev.hotpatch.pe.BaseRelocationType.HIGHLOW;
import static dev.hotpatch.pe.BaseRelocationType.LOW;
import static dev.hotpatch.pe.BaseRelocationType.THUMB_MOV32;
import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaseRelocationReaderTest {
    private static final long RELOC = 0x4000;

    /** Writes blocks into a .reloc section; {@link #build} makes a PE32+ image whose directory covers them. */
    static final class Relocs {
        final TestImages.Content c = new TestImages.Content(RELOC);
        long extraDirectoryBytes;

        /** A block with a correct size. */
        Relocs block(long page, int... entries) {
            return blockOfSize(page, 8 + 2L * entries.length, entries);
        }

        /** A block whose SizeOfBlock says {@code size}, whatever it holds. */
        Relocs blockOfSize(long page, long size, int... entries) {
            c.u32(page);
            c.u32(size);
            for (int e : entries) {
                c.u16(e);
            }
            return this;
        }

        /** Bytes after the last block that the directory's size still covers. */
        Relocs trailing(int bytes) {
            c.zeros(bytes);
            return this;
        }

        byte[] build() {
            return TestImages.pe32Plus()
                    .section(".text", 0x1000, new byte[0x2000], 0, TestImages.CODE)
                    .section(".reloc", c)
                    .directory(DirectoryKind.BASE_RELOCATION, RELOC, c.here() - RELOC + extraDirectoryBytes)
                    .build();
        }
    }

    static int entry(BaseRelocationType type, int offset) {
        return type.code() << 12 | offset;
    }

    @Test
    void readsSitesInFileOrderWithTheirTypes() throws Exception {
        byte[] image = new Relocs()
                .block(0x1000, entry(DIR64, 0x10), entry(DIR64, 0x08), entry(ABSOLUTE, 0))
                .block(0x2000, entry(HIGHLOW, 0x4), entry(HIGHADJ, 0x20), 0x1234, entry(LOW, 0x30),
                        entry(HIGH, 0x40), entry(ABSOLUTE, 0))
                .build();

        BaseRelocations r = read(image).relocations();

        assertEquals(6, r.count());
        assertEquals(0x1010, r.rva(0));
        assertEquals(DIR64, r.type(0));
        assertEquals(0x1008, r.rva(1));
        assertEquals(0x2004, r.rva(2));
        assertEquals(HIGHLOW, r.type(2));
        assertEquals(0x2020, r.rva(3));
        assertEquals(HIGHADJ, r.type(3));
        assertEquals(0x1234, r.highAdjParameter(3), "the entry after HIGHADJ is its parameter, not a site");
        assertEquals(0x2030, r.rva(4));
        assertEquals(HIGH, r.type(5));
        assertEquals(2, r.paddingCount());
        assertEquals(Map.of(ABSOLUTE, 2, DIR64, 2, HIGHLOW, 1, HIGHADJ, 1, LOW, 1, HIGH, 1), r.countsByType());
        assertThrows(IllegalArgumentException.class, () -> r.highAdjParameter(0));
    }

    @Test
    void sortedViewOrdersSitesByRvaAndSearchesThem() throws Exception {
        byte[] image = new Relocs()
                .block(0x2000, entry(DIR64, 0x18), entry(DIR64, 0x10))
                .block(0x1000, entry(DIR64, 0x20), entry(DIR64, 0x00))
                .build();

        BaseRelocations r = read(image).relocations();
        BaseRelocations.SortedView sorted = r.sortedByRva();

        assertFalse(r.isSortedByRva());
        assertEquals(0x2018, r.rva(0), "file order is kept");
        long[] rvas = {sorted.rva(0), sorted.rva(1), sorted.rva(2), sorted.rva(3)};
        assertEquals(List.of(0x1000L, 0x1020L, 0x2010L, 0x2018L), Arrays.stream(rvas).boxed().toList());
        assertEquals(2, sorted.indexOf(0x2010));
        assertEquals(-1, sorted.indexOf(0x2011));
        assertEquals(1, sorted.firstAtOrAfter(0x1001));
        assertEquals(2, sorted.countInRange(0x1000, 0x2000));
        assertEquals(DIR64, sorted.type(3));
    }

    @Test
    void sortedFileOrderNeedsNoCopy() throws Exception {
        BaseRelocations r = read(new Relocs().block(0x1000, entry(DIR64, 0), entry(DIR64, 8)).build()).relocations();

        assertTrue(r.isSortedByRva());
        assertEquals(1, r.sortedByRva().indexOf(0x1008));
    }

    @Test
    void namesArmTypesAndWarnsAboutTypesNoSupportedMachineUses() throws Exception {
        PeImage pe = read(new Relocs().block(0x1000, entry(ARM_MOV32, 0), entry(THUMB_MOV32, 8), 9 << 12).build());

        assertEquals(ARM_MOV32, pe.relocations().type(0));
        assertEquals(THUMB_MOV32, pe.relocations().type(1));
        assertEquals(9, pe.relocations().type(2).code());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("type 9")), pe.warnings().toString());
    }

    @Test
    void imageWithoutRelocationsHasAnEmptyTable() throws Exception {
        byte[] image = TestImages.pe32().section(".text", 0x1000, new byte[16], 0, TestImages.CODE).build();

        assertTrue(read(image).relocations().isEmpty());
    }

    @Test
    void rejectsBlockSmallerThanItsHeader() {
        byte[] image = new Relocs().block(0x1000, entry(DIR64, 0), entry(DIR64, 8)).blockOfSize(0x2000, 4).build();

        PeFormatException e = assertRejected(image, "base_relocation_block[1]", "len_block");
        assertEquals(0x2200 + 12 + 4, e.offset(), "block 1 starts 12 bytes into .reloc, whose raw data is at 0x2200");
    }

    @Test
    void rejectsBlockLargerThanTheDirectory() {
        assertRejected(new Relocs().blockOfSize(0x1000, 0x100, entry(DIR64, 0)).build(),
                "base_relocation_block[0]", "len_block");
    }

    @Test
    void rejectsOddBlockSize() {
        assertRejected(new Relocs().blockOfSize(0x1000, 11, entry(DIR64, 0), 0).build(),
                "base_relocation_block[0]", "len_block");
    }

    @Test
    void rejectsHighAdjWithoutItsParameter() {
        assertRejected(new Relocs().block(0x1000, entry(HIGHLOW, 0), entry(HIGHLOW, 4), entry(HIGHADJ, 8)).build(),
                "base_relocation_block[0]", "entries[2]");
    }

    @Test
    void rejectsTrailingBytesTooShortForABlockHeader() {
        assertRejected(new Relocs().block(0x1000, entry(DIR64, 0), entry(DIR64, 8)).trailing(4).build(),
                "base_relocation_block[1]", "len_block");
    }

    @Test
    void rejectsMoreEntriesThanTheLimit() {
        Relocs relocs = new Relocs().blockOfSize(0x1000, 8 + 2L * (Limits.MAX_RELOCATIONS + 1));
        relocs.trailing(2 * (Limits.MAX_RELOCATIONS + 1));

        PeFormatException e = assertRejected(relocs.build(), "base_relocation_block[0]", "len_block");
        assertTrue(e.expected().contains("MAX_RELOCATIONS"), e.getMessage());
    }

    @Test
    void rejectsMoreBlocksThanTheLimit() {
        Relocs relocs = new Relocs();
        for (int i = 0; i <= Limits.MAX_RELOCATION_BLOCKS; i++) {
            relocs.block(0x1000);
        }

        assertRejected(relocs.build(), "base_relocation_block[" + Limits.MAX_RELOCATION_BLOCKS + "]", "extent");
    }

    @Test
    void rejectsDirectoryLongerThanItsSection() {
        Relocs relocs = new Relocs().block(0x1000, entry(DIR64, 0), entry(DIR64, 8));
        relocs.extraDirectoryBytes = 0x10000;

        assertRejected(relocs.build(), "data_directory[base_relocation]", "rva");
    }
}
