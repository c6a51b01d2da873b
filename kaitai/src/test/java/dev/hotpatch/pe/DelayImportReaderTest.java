package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelayImportReaderTest {

    @Test
    void readsRvaBasedDescriptorsLikeImports() throws Exception {
        byte[] image = new ImportTables(true)
                .module("lib.dll").byName("add", 0).byOrdinal(7)
                .buildDelayImports();

        PeImage pe = read(image);

        assertEquals(List.of(), pe.imports());
        ImportedModule lib = pe.delayImports().get(0);
        assertEquals("lib.dll", lib.dllName());
        assertTrue(lib.delayLoad());
        long iat = lib.firstThunk();
        assertEquals(List.of(ImportedFunction.byName("add", 0, iat), ImportedFunction.byOrdinal(7, iat + 8)),
                lib.functions());
        assertTrue(pe.warnings().isEmpty(), pe.warnings().toString());
    }

    @Test
    void readsTheOldVaBasedFormBySubtractingTheImageBase() throws Exception {
        ImportTables tables = new ImportTables(false).module("lib.dll").byName("add", 3).byName("mul", 4);
        ImportedModule rvaBased = read(tables.buildDelayImports()).delayImports().get(0);

        PeImage pe = read(tables.vaBased().buildDelayImports());

        assertEquals(List.of(rvaBased), pe.delayImports(), "the same model as the RVA-based form");
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("old VA-based form")), pe.warnings().toString());
    }

    @Test
    void rejectsNameTableOutsideSections() {
        byte[] image = new ImportTables(true)
                .module("lib.dll").byName("add", 0).lookupTableRva(0x9000)
                .buildDelayImports();

        assertRejected(image, "delay_import_descriptor[0]", "rva_import_name_table");
    }

    @Test
    void rejectsUnterminatedDllName() {
        byte[] image = new ImportTables(true)
                .module("lib.dll").byName("add", 0)
                .dllNameRva(ImportTables.TEXT_END - 4)   // the last bytes of .text: int3s, no NUL, no zero fill
                .buildDelayImports();

        assertRejected(image, "delay_import_descriptor[0]", "rva_name");
    }

    @Test
    void rejectsUnterminatedImportName() {
        byte[] image = new ImportTables(true)
                .module("lib.dll").byName("add", 0).byName("mul", 1).hintNameRva(ImportTables.TEXT_END - 6)
                .buildDelayImports();

        assertRejected(image, "delay_import_descriptor[0].thunk[1].hint_name_entry", "name");
    }
}
