package dev.hotpatch.pdb;

import dev.hotpatch.pe.CodeViewInfo;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pdb.PdbSamplesTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding an image's PDB, and never trusting one of another build. */
class PdbLocatorTest {
    private static final String SCENARIO = "global_size_changed";

    @Test
    void findsThePdbBesideTheDllByTheDllsName() throws Exception {
        // The CodeView record names global_size_changed.pdb, which is not there; v1.pdb is.
        Path dll = sample(SCENARIO, "v1.dll");
        PeImage image = PeReader.read(dll);
        List<String> warnings = new ArrayList<>();
        PdbFile pdb = PdbLocator.locate(image, dll, Optional.empty(), warnings).orElseThrow();
        assertEquals("v1.pdb", pdb.name());
        assertEquals(image.codeView().orElseThrow().guid(), pdb.guid());
        assertEquals(List.of(), warnings);
    }

    @Test
    void findsThePdbTheCodeViewRecordNamesFirst(@TempDir Path dir) throws Exception {
        Path dll = Files.copy(sample(SCENARIO, "v1.dll"), dir.resolve("renamed.dll"));
        Files.copy(sample(SCENARIO, "v1.pdb"), dir.resolve("global_size_changed.pdb"));
        List<String> warnings = new ArrayList<>();
        PdbFile pdb = PdbLocator.locate(PeReader.read(dll), dll, Optional.empty(), warnings).orElseThrow();
        assertEquals("global_size_changed.pdb", pdb.name());
        assertEquals(List.of(), warnings);
    }

    @Test
    void ignoresThePdbOfAnotherBuildWithAWarning(@TempDir Path dir) throws Exception {
        Path dll = Files.copy(sample(SCENARIO, "v1.dll"), dir.resolve("v1.dll"));
        Path stale = Files.copy(sample(SCENARIO, "v2.pdb"), dir.resolve("v1.pdb"));
        List<String> warnings = new ArrayList<>();
        assertEquals(Optional.empty(), PdbLocator.locate(PeReader.read(dll), dll, Optional.empty(), warnings));
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.startsWith("ignored " + stale + ": it belongs to another build"), warning);
        assertTrue(warning.contains(PeReader.read(dll).codeView().orElseThrow().guid()), warning);
    }

    @Test
    void ignoresAFileThatIsNotAPdbWithAWarning(@TempDir Path dir) throws Exception {
        Path dll = Files.copy(sample(SCENARIO, "v1.dll"), dir.resolve("v1.dll"));
        Files.writeString(dir.resolve("v1.pdb"), "not a PDB");
        List<String> warnings = new ArrayList<>();
        assertEquals(Optional.empty(), PdbLocator.locate(PeReader.read(dll), dll, Optional.empty(), warnings));
        assertTrue(warnings.get(0).contains("not a readable PDB") && warnings.get(0).contains("msf_superblock.magic"),
                warnings.toString());
    }

    @Test
    void saysWhereItLookedWhenThereIsNoPdb(@TempDir Path dir) throws Exception {
        Path dll = Files.copy(sample(SCENARIO, "v1.dll"), dir.resolve("v1.dll"));
        List<String> warnings = new ArrayList<>();
        assertEquals(Optional.empty(), PdbLocator.locate(PeReader.read(dll), dll, Optional.empty(), warnings));
        assertEquals(List.of("no PDB found for v1.dll (looked for " + dir.resolve("global_size_changed.pdb")
                + " and " + dir.resolve("v1.pdb") + ")"), warnings);
    }

    @Test
    void explicitPdbIsUsedWhenItMatches() throws Exception {
        Path dll = sample(SCENARIO, "v2.dll");
        List<String> warnings = new ArrayList<>();
        PdbFile pdb = PdbLocator.locate(PeReader.read(dll), dll, Optional.of(sample(SCENARIO, "v2.pdb")), warnings)
                .orElseThrow();
        assertEquals("v2.pdb", pdb.name());
        assertEquals(List.of(), warnings);
    }

    @Test
    void explicitPdbOfAnotherBuildIsAnError() throws Exception {
        Path dll = sample(SCENARIO, "v1.dll");
        PeImage image = PeReader.read(dll);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PdbLocator.locate(image, dll,
                Optional.of(sample(SCENARIO, "v2.pdb")), new ArrayList<>()));
        assertEquals("pdb_info_stream.guid", e.structure() + "." + e.field());
        assertTrue(e.offset() > 0, e.getMessage());
        assertTrue(e.getMessage().contains(image.codeView().orElseThrow().guid()), e.getMessage());
        assertTrue(e.getMessage().contains(PdbReader.read(sample(SCENARIO, "v2.pdb")).guid()), e.getMessage());
    }

    @Test
    void nb10RecordMatchesBySignatureAndAge() throws Exception {
        PdbFile pdb = PdbReader.read(sample(SCENARIO, "v1.pdb"));
        String signature = String.format("%08x", pdb.signature());
        assertEquals(Optional.empty(), PdbLocator.mismatch(pdb, new CodeViewInfo("NB10", signature, pdb.age(),
                "x.pdb")));
        assertTrue(PdbLocator.mismatch(pdb, new CodeViewInfo("NB10", "00000001", pdb.age(), "x.pdb")).isPresent());
    }

    @Test
    void ageMustMatchToo() throws Exception {
        PdbFile pdb = PdbReader.read(sample(SCENARIO, "v1.pdb"));
        CodeViewInfo cv = new CodeViewInfo("RSDS", pdb.guid(), pdb.age() + 1, "x.pdb");
        assertTrue(PdbLocator.mismatch(pdb, cv).orElseThrow().contains("age " + (pdb.age() + 1)));
        assertEquals(Optional.empty(), PdbLocator.mismatch(pdb, new CodeViewInfo("RSDS", pdb.guid().toUpperCase(),
                pdb.age(), "x.pdb")));
    }

    @Test
    void pdbPathLastComponentWithEitherSeparator() {
        assertEquals("app.pdb", PdbLocator.lastComponent("C:\\build\\out\\app.pdb"));
        assertEquals("app.pdb", PdbLocator.lastComponent("/home/ci/out/app.pdb"));
        assertEquals("app.pdb", PdbLocator.lastComponent("C:\\build/mixed\\app.pdb"));
        assertEquals("app.pdb", PdbLocator.lastComponent("C:app.pdb"));
        assertEquals("app.pdb", PdbLocator.lastComponent("app.pdb"));
        assertEquals("", PdbLocator.lastComponent("C:\\build\\"));
        assertEquals("", PdbLocator.lastComponent(".."));
    }

    @Test
    void candidatesAreTheRecordsNameThenTheBinarysName() {
        Path bin = Path.of("/x/y/prog.exe");
        CodeViewInfo cv = new CodeViewInfo("RSDS", "{00000000-0000-0000-0000-000000000000}", 1, "D:\\b\\prog.pdb");
        assertEquals(List.of(Path.of("/x/y/prog.pdb")), PdbLocator.candidates(bin, cv));
        CodeViewInfo other = new CodeViewInfo("RSDS", cv.guid(), 1, "/b/other.pdb");
        assertEquals(List.of(Path.of("/x/y/other.pdb"), Path.of("/x/y/prog.pdb")), PdbLocator.candidates(bin, other));
    }
}
