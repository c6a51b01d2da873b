package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.ImportTables.IDATA;
import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportReaderTest {

    @Test
    void readsNamesHintsOrdinalsAndIatSlotsOf64BitImports() throws Exception {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byName("GetTickCount", 7).byOrdinal(12).byName("Sleep", 0x55)
                .module("user32.dll").byName("MessageBeep", 3)
                .buildImports();

        List<ImportedModule> imports = read(image).imports();

        assertEquals(2, imports.size());
        ImportedModule kernel32 = imports.get(0);
        assertEquals("kernel32.dll", kernel32.dllName());
        assertFalse(kernel32.delayLoad());
        long iat = kernel32.firstThunk();
        assertEquals(List.of(
                new ImportedFunction(Optional.of("GetTickCount"), 7, -1, iat),
                new ImportedFunction(Optional.empty(), -1, 12, iat + 8),
                new ImportedFunction(Optional.of("Sleep"), 0x55, -1, iat + 16)), kernel32.functions());
        assertEquals(kernel32.originalFirstThunk() + 4 * 8, iat, "the IAT follows the 3 + 1 lookup entries");
        assertEquals("MessageBeep", imports.get(1).functions().get(0).name().orElseThrow());
    }

    @Test
    void readsFourByteThunksOf32BitImages() throws Exception {
        byte[] image = new ImportTables(false)
                .module("msvcrt.dll").byName("printf", 1).byOrdinal(0x1234).byName("exit", 2)
                .buildImports();

        ImportedModule msvcrt = read(image).imports().get(0);

        long iat = msvcrt.firstThunk();
        assertEquals(List.of(ImportedFunction.byName("printf", 1, iat), ImportedFunction.byOrdinal(0x1234, iat + 4),
                ImportedFunction.byName("exit", 2, iat + 8)), msvcrt.functions());
    }

    @Test
    void readsNamesFromTheIatWhenOriginalFirstThunkIsZero() throws Exception {
        byte[] image = new ImportTables(false)
                .module("kernel32.dll").byName("ExitProcess", 0).withoutLookupTable()
                .buildImports();

        ImportedModule kernel32 = read(image).imports().get(0);

        assertEquals(0, kernel32.originalFirstThunk());
        assertEquals(List.of(ImportedFunction.byName("ExitProcess", 0, kernel32.firstThunk())),
                kernel32.functions());
    }

    @Test
    void fallsBackToTheIatWhenOriginalFirstThunkIsOutsideTheImage() throws Exception {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byName("ExitProcess", 0).lookupTableRva(0xffffff00L)
                .buildImports();

        PeImage pe = read(image);

        assertEquals("ExitProcess", pe.imports().get(0).functions().get(0).name().orElseThrow());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("import_descriptor[0].rva_import_lookup_table")),
                pe.warnings().toString());
    }

    @Test
    void imageWithoutImportDirectoryHasNoImports() throws Exception {
        byte[] image = TestImages.pe32Plus().section(".text", 0x1000, new byte[16], 0, TestImages.CODE).build();

        assertEquals(List.of(), read(image).imports());
    }

    @Test
    void nullDescriptorInTheZeroFilledTailOfTheSectionEndsTheTable() throws Exception {
        byte[] image = new ImportTables(true).module("kernel32.dll").byName("Sleep", 1)
                .descriptorsAtEndOfSection().sectionVirtualSize(0x1000)
                .buildImports();

        assertEquals("Sleep", read(image).imports().get(0).functions().get(0).name().orElseThrow());
    }

    @Test
    void rejectsHintNameEntryOutsideSections() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byOrdinal(1).byName("Sleep", 1).hintNameRva(0x9000)
                .buildImports();

        assertRejected(image, "import_descriptor[0].thunk[1]", "rva_hint_name");
    }

    @Test
    void rejectsUnterminatedImportName() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byName("Sleep", 1).byName("GetTickCount", 2)
                .hintNameRva(ImportTables.TEXT_END - 6)   // the last bytes of .text: int3s, no NUL, no zero fill
                .buildImports();

        PeFormatException e = assertRejected(image, "import_descriptor[0].thunk[1].hint_name_entry", "name");
        assertEquals(textRawOffset(image) + (ImportTables.TEXT_END - 6 - 0x1000) + 2, e.offset(),
                "the name, after the entry's 2-byte hint");
    }

    /** PointerToRawData of the first section (.text), from its section header. */
    private static long textRawOffset(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int sectionTable = 0x40 + 24 + Short.toUnsignedInt(b.getShort(0x40 + 4 + 16));
        return Integer.toUnsignedLong(b.getInt(sectionTable + 20));
    }

    @Test
    void rejectsDllNameOutsideSections() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byName("Sleep", 1)
                .module("user32.dll").byName("MessageBeep", 1).dllNameRva(0x7fff0000L)
                .buildImports();

        assertRejected(image, "import_descriptor[1]", "rva_name");
    }

    @Test
    void rejectsLookupTableWithoutZeroEntry() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").manyByOrdinal(Limits.MAX_IMPORTS_PER_MODULE + 1)
                .buildImports();

        PeFormatException e = assertRejected(image, "import_descriptor[0]", "rva_import_lookup_table");
        assertTrue(e.expected().contains("MAX_IMPORTS_PER_MODULE"), e.getMessage());
    }

    @Test
    void rejectsMoreImportsInAllThanTheLimit() {
        int modules = Limits.MAX_IMPORTS / Limits.MAX_IMPORTS_PER_MODULE + 1;
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").manyByOrdinal(Limits.MAX_IMPORTS_PER_MODULE).repeated(modules)
                .buildImports();

        PeFormatException e = assertRejected(image, "import_descriptor[" + (modules - 1) + "]",
                "rva_import_lookup_table");
        assertTrue(e.expected().contains("MAX_IMPORTS"), e.getMessage());
    }

    @Test
    void rejectsDescriptorTableWithoutNullDescriptor() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byOrdinal(1).repeated(Limits.MAX_IMPORT_MODULES + 1)
                .buildImports();

        assertRejected(image, "import_descriptor[" + Limits.MAX_IMPORT_MODULES + "]", "extent");
    }

    @Test
    void rejectsImportAddressTableLeavingItsSection() {
        byte[] image = new ImportTables(true)
                .module("kernel32.dll").byName("Sleep", 1).byName("ExitProcess", 2).iatRva(ImportTables.TEXT_END - 8)
                .buildImports();

        assertRejected(image, "import_descriptor[0]", "rva_import_address_table");
    }

    @Test
    void rejectsDescriptorTableThatLeavesTheFile() {
        byte[] image = new ImportTables(true).module("kernel32.dll").byName("Sleep", 1)
                .descriptorsAtEndOfSection()
                .buildImports();

        assertRejected(image, "import_descriptor[1]", "extent");
    }

    @Test
    void rejectsDirectoryOutsideSections() {
        byte[] image = new ImportTables(true).module("kernel32.dll").byName("Sleep", 1)
                .directoryRva(IDATA + 0x10000).buildImports();

        assertRejected(image, "data_directory[import]", "rva");
    }
}
