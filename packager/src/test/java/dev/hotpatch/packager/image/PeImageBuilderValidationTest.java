package dev.hotpatch.packager.image;

import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each call that would make a broken image is refused with a message that says what is wrong. */
class PeImageBuilderValidationTest {

    private static void refused(String expectedPart, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), () -> "message \"" + e.getMessage()
                + "\" does not say \"" + expectedPart + "\"");
    }

    private static PeImageBuilder twoSections() {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        image.addSection(".text", SectionFlags.CODE, new byte[0x20]);                    // 0x1000
        image.addSection(".rdata", SectionFlags.READ_ONLY_DATA, new byte[0x100], 0x800); // 0x2000
        return image;
    }

    @Test
    void sectionNamesLongerThanEightBytes() {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        refused("\".textbss1\" is 9 bytes; an image section name takes 1 to 8 bytes",
                () -> image.reserve(".textbss1", 0x10, SectionFlags.CODE));
        refused("is 0 bytes", () -> image.reserve("", 0x10, SectionFlags.CODE));
        refused("is 9 bytes", () -> image.reserve(".dätaxxx", 0x10, SectionFlags.CODE));   // ä is two bytes
        image.reserve(".textbss", 0x10, SectionFlags.CODE);
    }

    @Test
    void repeatedAndReservedSectionNames() {
        PeImageBuilder image = twoSections();
        refused("section .text is already reserved", () -> image.reserve(".text", 0x10, SectionFlags.CODE));
        refused(".reloc is written by the builder", () -> image.reserve(".reloc", 0x10, SectionFlags.CODE));
    }

    @Test
    void writesOutsideTheirSection() {
        PeImageBuilder image = twoSections();
        refused("lies outside every section", () -> image.write(0x1800, new byte[4]));
        refused("lies outside every section", () -> image.write(0x27FE, new byte[4]));   // runs past .rdata
        refused("do not fit in section .rdata", () -> image.fill(".rdata", new byte[0x801]));
        refused("no section named .data", () -> image.fill(".data", new byte[1]));
    }

    @Test
    void relocationsOutsideEverySection() {
        PeImageBuilder image = twoSections();
        refused("base relocation DIR64 at RVA 0x1800 (0x8 bytes) lies outside every section",
                () -> image.relocation(0x1800));
        refused("lies outside every section", () -> image.relocation(0x27FC));   // the field runs past .rdata
        refused("lies outside every section", () -> image.relocation(0x400));    // in the headers
    }

    @Test
    void relocationsThatOverlapOrDoNotSuitTheMachine() {
        PeImageBuilder image = twoSections();
        image.relocation(0x2000);
        refused("base relocation DIR64 at RVA 0x2004 overlaps the DIR64 relocation at RVA 0x2000",
                () -> image.relocation(0x2004));
        refused("overlaps", () -> image.relocation(0x2000));
        image.relocation(0x2008);                                 // right after the first field: no overlap
        refused("overlaps", () -> image.relocation(0x200C));
        refused("does not suit a PE32+ image; use DIR64", () -> image.relocation(0x2010, BaseRelocationType.HIGHLOW));
        PeImageBuilder x86 = new PeImageBuilder(Machine.I386);
        x86.reserve(".data", 0x10, SectionFlags.READ_WRITE_DATA);
        refused("does not suit a PE32 image; use HIGHLOW", () -> x86.relocation(0x1000, BaseRelocationType.DIR64));
        x86.relocation(0x1000);
        x86.relocation(0x1004);
        assertEquals(2, x86.relocations().size());
    }

    @Test
    void overlappingDirectories() {
        PeImageBuilder image = twoSections();
        image.directory(DirectoryKind.IMPORT, 0x2000, 0x28);
        refused("data directory 12 (iat) [0x2020, 0x2040) overlaps data directory 1 (import) [0x2000, 0x2028)",
                () -> image.directory(DirectoryKind.IAT, 0x2020, 0x20));
        image.directory(DirectoryKind.IAT, 0x2028, 0x20);
        image.directory(DirectoryKind.IMPORT, 0x2000, 0x28);     // setting one again is not an overlap with itself
        image.directory(DirectoryKind.IMPORT, 0, 0);             // cleared
        image.directory(DirectoryKind.LOAD_CONFIG, 0x2000, 0x28);
    }

    @Test
    void misorderedOrMisplacedDirectories() {
        PeImageBuilder image = twoSections();
        refused("lies outside every section (or runs across the end of one)",
                () -> image.directory(DirectoryKind.EXPORT, 0x1010, 0x1000));           // from .text into a gap
        refused("lies outside every section", () -> image.directory(DirectoryKind.EXPORT, 0x3000, 0x10));
        refused("both must be positive", () -> image.directory(DirectoryKind.EXPORT, 0x2000, 0));
        refused("both must be positive", () -> image.directory(DirectoryKind.EXPORT, 0x2010, -0x10));
        refused("is not 0 to 15", () -> image.directory(16, 0x2000, 0x10));
        refused("holds a file offset and is written by the signer",
                () -> image.directory(DirectoryKind.CERTIFICATE, 0x2000, 0x10));
        refused("is written by the builder from relocation()",
                () -> image.directory(DirectoryKind.BASE_RELOCATION, 0x2000, 0x10));
        image.directory(DirectoryKind.EXPORT, 0x2080, 0x100);   // reaches into .rdata's zero-filled tail
        refused("data directory 0 (export) [0x2080, 0x2180) reaches past the initialised bytes of section .rdata",
                image::build);
    }

    @Test
    void imagesOverTwoGigabytes() {
        PeImageBuilder image = new PeImageBuilder(Machine.AMD64);
        image.reserve(".text", 0x10, SectionFlags.CODE);
        refused("makes the image larger than 2 GB", () -> image.reserve(".bss", 0x8000_0000L,
                SectionFlags.READ_WRITE_DATA));
        image.reserve(".bss", 0x7FFF_0000L - 0x2000, SectionFlags.READ_WRITE_DATA);   // just fits
        refused("makes the image larger than 2 GB", () -> image.reserve(".more", 0x10000,
                SectionFlags.READ_WRITE_DATA));
        PeImageBuilder x86 = new PeImageBuilder(Machine.I386).imageBase(0xFFF0_0000L);
        x86.reserve(".bss", 0x10_0000, SectionFlags.READ_WRITE_DATA);
        refused("would end past 4 GB", x86::build);
    }

    @Test
    void imageBaseMachineAndSectionCount() throws Exception {
        refused("not a non-zero multiple of 64 KB", () -> new PeImageBuilder(Machine.AMD64).imageBase(0x1_8000_1000L));
        refused("below 4 GB", () -> new PeImageBuilder(Machine.I386).imageBase(0x1_0000_0000L));
        refused("only x86 (I386), x64 (AMD64) and ARM64 are supported", () -> new PeImageBuilder(Machine.ARMNT));
        PeImageBuilder image = new PeImageBuilder(Machine.I386);
        for (int i = 0; i < PeImageBuilder.MAX_SECTIONS; i++) {
            image.reserve("s" + i, 4, SectionFlags.READ_ONLY_DATA);
        }
        refused("an image holds at most " + PeImageBuilder.MAX_SECTIONS + " sections",
                () -> image.reserve("one", 1, SectionFlags.READ_ONLY_DATA));
        image.relocation(0x1000);
        PeImage read = PeReader.read(image.build(), "many.dll");
        assertEquals(List.of(), read.warnings());
        assertEquals(PeImageBuilder.MAX_SECTIONS + 1, read.sections().size());
        assertEquals(0x1000, read.sections().get(0).rva(),
                "the headers of the largest section table still fit in the first page");
    }

    @Test
    void tableBuilders() {
        PeImageBuilder image = twoSections();
        refused("is not aligned to 8 bytes", () -> new ImportDirectoryBuilder(Machine.AMD64).add("k.dll", "f")
                .writeTo(image, 0x2004));
        refused("planned for a PE32 image", () -> new ImportDirectoryBuilder(Machine.I386).add("k.dll", "f")
                .writeTo(image, 0x2000));
        refused("imports nothing", () -> new ImportDirectoryBuilder(Machine.AMD64).writeTo(image, 0x2000));
        refused("names no function", () -> new ImportDirectoryBuilder(Machine.AMD64).add("k.dll", List.of()));
        refused("only printable ASCII", () -> new ImportDirectoryBuilder(Machine.AMD64).add("k.dll", "f\0g"));
        refused("is already at RVA 0x1000", () -> new ExportDirectoryBuilder("p.dll").export("f", 0x1000)
                .export("f", 0x1010));
        refused("points into the export directory itself", () -> new ExportDirectoryBuilder("p.dll")
                .export("f", 0x2004).writeTo(image, 0x2000));
        refused("HotPatchTableOffset 0x9000 lies outside every section", () -> new LoadConfigBuilder(Machine.AMD64)
                .hotPatchTable(0x9000).writeTo(image, 0x2000));
        refused("CFG function RVA 0x1800 lies outside every section", () -> new LoadConfigBuilder(Machine.AMD64)
                .guardCfFunctions(List.of(0x1800L)).writeTo(image, 0x2000));
        refused("only x64 and ARM64 images have a .pdata function table", () -> new RuntimeFunctionTable(Machine.I386));
        refused("overlaps", () -> new RuntimeFunctionTable(Machine.AMD64).add(0x1000, 0x1010, 0x2000)
                .add(0x100C, 0x1020, 0x2000));
        refused("ends before it begins", () -> new RuntimeFunctionTable(Machine.AMD64).add(0x1000, 0x1000, 0x2000));
        refused("reserved Flag 3", () -> new RuntimeFunctionTable(Machine.ARM64).add(0x1000, 3));
        refused("two ARM64 functions begin at 0x1000", () -> new RuntimeFunctionTable(Machine.ARM64)
                .add(0x1000, 0x2000).add(0x1000, 0x9));
    }

    @Test
    void loadConfigSizesAreThroughHotPatchTableOffset() {
        assertEquals(0x98, LoadConfigBuilder.structureSize(Machine.I386));
        assertEquals(0xF4, LoadConfigBuilder.structureSize(Machine.AMD64));
        assertEquals(0xF4, LoadConfigBuilder.structureSize(Machine.ARM64));
        assertEquals(0x94, LoadConfigBuilder.hotPatchTableOffsetField(Machine.I386));
        assertEquals(0xF0, LoadConfigBuilder.hotPatchTableOffsetField(Machine.AMD64));
    }
}
