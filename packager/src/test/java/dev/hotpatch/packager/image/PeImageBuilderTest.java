package dev.hotpatch.packager.image;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layout, reproducibility, the .reloc encoding, the CheckSum and the atomic write. */
class PeImageBuilderTest {

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void sameInputsGiveTheSameBytes(Machine machine) {
        SampleImages.Sample first = SampleImages.build(machine);
        assertArrayEquals(first.bytes(), first.builder().build(), "building twice from one builder");
        assertArrayEquals(first.bytes(), SampleImages.build(machine).bytes(), "building twice from scratch");
    }

    @Test
    void tablesDoNotDependOnTheOrderOfCalls() {
        byte[] one = importsAndRelocations(List.of("a.dll", "B.dll"), List.of("f", "g"), new long[] {0x1008, 0x1000});
        byte[] two = importsAndRelocations(List.of("B.dll", "a.dll"), List.of("g", "f"), new long[] {0x1000, 0x1008});
        assertArrayEquals(one, two);
    }

    private static byte[] importsAndRelocations(List<String> dlls, List<String> functions, long[] relocations) {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        ImportDirectoryBuilder imports = new ImportDirectoryBuilder(Machine.AMD64);
        for (String dll : dlls) {
            imports.add(dll, functions);
        }
        long rdata = image.reserve(".rdata", 0x100 + imports.size(), SectionFlags.READ_ONLY_DATA);
        for (long r : relocations) {
            image.writeAddress(r, 0x1080);
        }
        imports.writeTo(image, rdata + 0x100);
        return image.build();
    }

    @Test
    void sectionsGetTheirRvasWhenReservedInTheOrderReserved() {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        assertEquals(0x1000, image.reserve(".text", 0x10, SectionFlags.CODE));
        assertEquals(0x2000, image.reserve(".rdata", 0x1001, SectionFlags.READ_ONLY_DATA));
        assertEquals(0x4000, image.reserve(".data", 0x3000, SectionFlags.READ_WRITE_DATA));
        Layout layout = image.layout();
        assertEquals(List.of(".text", ".rdata", ".data"), layout.sections().stream().map(Layout.Entry::name).toList());
        assertEquals(0x7000, layout.end());
        assertEquals(0x2000, layout.rva(".rdata"));
        assertEquals(".data", layout.sectionAt(0x6FFF).orElseThrow().name());
        assertTrue(layout.sectionAt(0x3001).isEmpty(), "the gap after .rdata belongs to no section");
    }

    @Test
    void aZeroFilledTailTakesNoRoomInTheFile() throws Exception {
        PeImageBuilder image = new PeImageBuilder(Machine.I386);
        image.addSection(".data", SectionFlags.READ_WRITE_DATA, new byte[] {1, 2, 3}, 0x5000);
        long bss = image.reserve(".bss", 0x100, SectionFlags.READ_WRITE_DATA);
        byte[] file = image.build();
        PeImage read = PeReader.read(file, "tail.dll");
        assertEquals(List.of(), read.warnings());
        assertEquals(0x5000, read.section(".data").orElseThrow().virtualSize());
        assertEquals(0x200, read.section(".data").orElseThrow().rawSize());
        assertEquals(0, read.section(".bss").orElseThrow().rawSize(), "a section never written has no raw data");
        assertEquals(0, read.section(".bss").orElseThrow().rawOffset());
        assertEquals(bss, read.section(".bss").orElseThrow().rva());
        assertEquals(0x200 + 0x200, file.length, "headers, then .data's one block of raw data");
        assertArrayEquals(new byte[] {1, 2, 3, 0}, read.readVirtual(0x1000, 4));
    }

    @Test
    void anImageWithoutRelocationsHasNoRelocSection() throws Exception {
        PeImageBuilder image = new PeImageBuilder(Machine.ARM64);
        image.addSection(".text", SectionFlags.CODE, new byte[] {(byte) 0xC0, 0x03, 0x5F, (byte) 0xD6});
        PeImage read = PeReader.read(image.build(), "noreloc.dll");
        assertEquals(List.of(".text"), read.sections().stream().map(s -> s.name()).toList());
        assertTrue(read.directory(DirectoryKind.BASE_RELOCATION).isEmpty());
    }

    @Test
    void relocSectionHoldsOneSortedBlockPerPagePaddedToFourBytes() throws Exception {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        image.reserve(".data", 0x3000, SectionFlags.READ_WRITE_DATA);
        for (long rva : new long[] {0x3FF8, 0x1010, 0x1000, 0x1FF0, 0x3000}) {
            image.relocation(rva, BaseRelocationType.DIR64);
        }
        image.write(0x3FF8, new byte[8]);
        byte[] file = image.build();
        PeImage read = PeReader.read(file, "reloc.dll");
        long relocRva = read.directory(DirectoryKind.BASE_RELOCATION).orElseThrow().address();
        assertEquals(0x4000, relocRva, ".reloc follows the last section");
        ByteBuffer blocks = ByteBuffer.wrap(read.readVirtual(relocRva,
                (int) read.directory(DirectoryKind.BASE_RELOCATION).orElseThrow().size()))
                .order(ByteOrder.LITTLE_ENDIAN);
        // page 0x1000: 0x000, 0x010, 0xFF0 (3 sites + 1 ABSOLUTE); page 0x3000: 0x000, 0xFF8 (2 sites)
        int[] expected = {0x1000, 8 + 4 * 2, 0xA000, 0xA010, 0xAFF0, 0x0000, 0x3000, 8 + 2 * 2, 0xA000, 0xAFF8};
        int[] actual = new int[expected.length];
        for (int i = 0; i < expected.length; i++) {
            actual[i] = (i == 0 || i == 1 || i == 6 || i == 7) ? blocks.getInt() : blocks.getShort() & 0xFFFF;
        }
        assertArrayEquals(expected, actual);
        assertFalse(blocks.hasRemaining());
        assertEquals(1, read.relocations().paddingCount());
    }

    @Test
    void addressesFollowTheImageBaseSetLast() throws Exception {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        long data = image.reserve(".data", 0x10, SectionFlags.READ_WRITE_DATA);
        image.writeAddress(data, data + 8);
        image.imageBase(0x7FF6_0000_0000L);
        PeImage read = PeReader.read(image.build(), "va.dll");
        assertEquals(0x7FF6_0000_0000L + data + 8,
                ByteBuffer.wrap(read.readVirtual(data, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(1, read.relocations().count());
    }

    @Test
    void checkSumAgreesWithTheDwordFormulationOnAnyBytes() {
        Random random = new Random(4);
        for (int length : new int[] {0x100, 0x101, 0x102, 0x103, 0x1000, 0x2001}) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            for (int i = 0; i < 64; i++) {
                data[random.nextInt(length)] = (byte) 0xFF;   // long carries
            }
            assertEquals(Checksums.byDwords(data, 0x98), PeChecksum.compute(data, 0x98), "length " + length);
        }
    }

    @Test
    void checkSumIgnoresItsOwnField() {
        byte[] image = SampleImages.build(Machine.AMD64).bytes();
        long sum = PeChecksum.compute(image, 0x98);
        image[0x98] ^= 0x5A;
        image[0x9B] ^= 0x33;
        assertEquals(sum, PeChecksum.compute(image, 0x98));
        image[0x400] ^= 1;
        assertTrue(sum != PeChecksum.compute(image, 0x98));
    }

    @Test
    void writeToReplacesTheTargetAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("patch.dll");
        Files.writeString(target, "old");
        SampleImages.Sample s = SampleImages.build(Machine.AMD64);
        s.builder().writeTo(target);
        assertArrayEquals(s.bytes(), Files.readAllBytes(target));
        assertEquals(List.of(target), list(dir));
    }

    @Test
    void aFailedWriteLeavesNothingBehind(@TempDir Path dir) throws IOException {
        Path occupied = dir.resolve("patch.dll");
        Files.createDirectories(occupied.resolve("inside"));   // a non-empty directory cannot be replaced
        PeImageBuilder image = SampleImages.build(Machine.AMD64).builder();
        assertThrows(IOException.class, () -> image.writeTo(occupied));
        assertEquals(List.of(occupied), list(dir));

        Path target = dir.resolve("invalid.dll");
        PeImageBuilder invalid = new PeImageBuilder(Machine.AMD64);
        invalid.reserve(".rdata", 0x100, SectionFlags.READ_ONLY_DATA);
        invalid.directory(DirectoryKind.IMPORT, 0x1000, 0x14);              // never written
        assertThrows(IllegalArgumentException.class, () -> invalid.writeTo(target));
        assertEquals(List.of(occupied), list(dir), "an invalid image is refused before any file is made");
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
