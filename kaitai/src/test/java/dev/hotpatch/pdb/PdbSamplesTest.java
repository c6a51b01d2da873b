package dev.hotpatch.pdb;

import dev.hotpatch.pe.CodeViewInfo;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ARM64 sample PDB (lld-link, testdata/bin/arm64/<scenario>/v1.pdb and v2.pdb) read by us and by
 * llvm-pdbutil: the same procedures (name, RVA, length), data symbols (name, RVA) and publics (name, RVA,
 * function flag); the identity the DLL's CodeView record names; and a few facts the scenario sources fix.
 */
class PdbSamplesTest {

    static List<Path> samples() throws IOException {
        Path arm64 = RepoPaths.testdataBin().resolve("arm64");
        if (!Files.isDirectory(arm64)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(arm64, 2)) {
            return files.filter(p -> p.getFileName().toString().matches("v\\d+\\.pdb")).sorted().toList();
        }
    }

    static Path sample(String scenario, String file) {
        return RepoPaths.testdataBin().resolve("arm64").resolve(scenario).resolve(file);
    }

    @Test
    void samplesArePresent() throws IOException {
        assertFalse(samples().size() < 30, "expected a v1.pdb and v2.pdb per ARM64 scenario under "
                + RepoPaths.testdataBin() + ", found " + samples().size());
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("samples")
    void symbolsMatchLlvmPdbutil(Path pdbPath) throws Exception {
        PdbUtilDump theirs = PdbUtilDump.of(pdbPath);
        PdbFile pdb = PdbReader.read(pdbPath);
        assertTrue(pdb.warnings().isEmpty(), pdb.warnings().toString());
        assertFalse(pdb.procedures().isEmpty(), "no procedures in " + pdbPath);
        assertFalse(theirs.publics().isEmpty(), "llvm-pdbutil printed no publics for " + pdbPath);
        assertEquals(sorted(theirs.procedures()), sorted(pdb.procedures().stream()
                .map(p -> p.name() + " " + p.rva() + " " + p.length()).toList()), "procedures of " + pdbPath);
        assertEquals(sorted(theirs.data().stream().distinct().toList()), sorted(pdb.dataSymbols().stream()
                .map(d -> d.name() + " " + d.rva()).toList()), "data symbols of " + pdbPath);
        assertEquals(sorted(theirs.publics()), sorted(pdb.publics().stream()
                .map(p -> p.name() + " " + p.rva() + " " + (p.function() ? "function" : "data")).toList()),
                "publics of " + pdbPath);
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("samples")
    void identityIsTheOneTheDllNames(Path pdbPath) throws Exception {
        String dll = pdbPath.getFileName().toString().replace(".pdb", ".dll");
        CodeViewInfo cv = PeReader.read(pdbPath.resolveSibling(dll)).codeView().orElseThrow();
        PdbFile pdb = PdbReader.read(pdbPath);
        assertEquals(cv.guid(), pdb.guid());
        assertEquals(cv.age(), pdb.age());
    }

    @Test
    void historyGrowsFromFourToEightInts() throws Exception {
        // testdata/scenarios/global_size_changed: int history[4] in v1, int history[8] in v2
        assertEquals(16, data(sample("global_size_changed", "v1.pdb"), "history").size());
        assertEquals(32, data(sample("global_size_changed", "v2.pdb"), "history").size());
        PdbData generation = data(sample("global_size_changed", "v1.pdb"), "generation");
        assertEquals(4, generation.size());        // int generation = 1;
        assertEquals(0x74, generation.typeIndex());
        assertTrue(generation.global());
    }

    @Test
    void cppMethodsAreProceduresWithQualifiedNames() throws Exception {
        PdbFile pdb = PdbReader.read(sample("cpp_virtual_method_changed", "v1.pdb"));
        PdbProcedure area = pdb.procedures().stream().filter(p -> p.name().equals("Triangle::area")).findFirst()
                .orElseThrow(() -> new AssertionError("no Triangle::area in " + pdb.procedures()));
        assertTrue(area.global());
        assertTrue(area.length() > 0 && area.rva() > 0, area.toString());
        assertTrue(area.module().endsWith("lib.obj"), area.module());
        Optional<PdbPublic> mangled = pdb.publics().stream().filter(p -> p.rva() == area.rva()).findFirst();
        assertEquals("?area@Triangle@@UEBAHH@Z", mangled.orElseThrow().name());
        // Triangle triangle: only a vtable pointer, 8 bytes on ARM64
        assertEquals(8, data(sample("cpp_virtual_method_changed", "v1.pdb"), "triangle").size());
    }

    private static PdbData data(Path pdb, String name) throws Exception {
        return PdbReader.read(pdb).dataSymbols().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no data symbol " + name + " in " + pdb));
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }
}
