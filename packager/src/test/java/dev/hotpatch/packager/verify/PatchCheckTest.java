package dev.hotpatch.packager.verify;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.HotPatchTablesWriter;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each structural fault of a patch image is reported with its kind, all of them at once. */
class PatchCheckTest {
    private static Path dir;
    private static PeImage base;
    private static byte[] patch;

    @BeforeAll
    static void makePatch(@TempDir Path tmp) throws Exception {
        dir = RepoPaths.testdataBin().resolve("x64").resolve("calls_unchanged_and_globals");
        Path out = tmp.resolve("patch.hpi");
        Packager.create(dir.resolve("v1.dll"), dir.resolve("v2.dll"), out, Differ.Options.defaults(),
                new PatchWriter.Options(7, 0, true));
        patch = Files.readAllBytes(out);
        base = PeReader.read(dir.resolve("v1.dll"));
    }

    private static Set<PatchProblem.Kind> kinds(List<PatchProblem> problems) {
        return problems.stream().map(PatchProblem::kind).collect(Collectors.toSet());
    }

    /** The patch with its tables rewritten (same length, so they fit where the old ones were). */
    private static byte[] withTables(UnaryOperator<HotPatchTables> change) throws Exception {
        PeImage image = PeReader.read(patch, "patch");
        HotPatchTables tables = PatchImageTables.read(image).orElseThrow();
        byte[] bytes = HotPatchTablesWriter.write(change.apply(tables));
        long rva = image.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        Section s = image.sectionAt(rva).orElseThrow();
        byte[] out = patch.clone();
        System.arraycopy(bytes, 0, out, (int) (s.rawOffset() + rva - s.rva()), bytes.length);
        return out;
    }

    private static HotPatchTables withFunction(HotPatchTables t, UnaryOperator<FunctionRecord> change) {
        List<FunctionRecord> functions = new ArrayList<>(t.functions());
        functions.set(0, change.apply(functions.get(0)));
        return new HotPatchTables(t.header(), t.base(), functions, t.dataFixups());
    }

    @Test
    void aSoundPatchForItsBaseHasNoProblems() {
        assertEquals(List.of(), PatchCheck.check(patch, base, 0));
        assertEquals(List.of(), PatchCheck.check(patch, base, 7));
    }

    @Test
    void anotherBaseIsTheWrongBase() throws Exception {
        List<PatchProblem> p = PatchCheck.check(patch, PeReader.read(dir.resolve("v2.dll")), 0);
        assertEquals(Set.of(PatchProblem.Kind.WRONG_BASE), kinds(p));
        assertTrue(p.get(0).message().contains("another base"), p::toString);
    }

    @Test
    void aSequenceBelowTheMinimumIsARollback() {
        List<PatchProblem> p = PatchCheck.check(patch, base, 8);
        assertEquals(Set.of(PatchProblem.Kind.SEQUENCE_BELOW_MINIMUM), kinds(p));
        assertTrue(p.get(0).message().contains("7") && p.get(0).message().contains("8"), p::toString);
    }

    @Test
    void wrongBaseAndRollbackAreReportedTogether() throws Exception {
        assertEquals(Set.of(PatchProblem.Kind.WRONG_BASE, PatchProblem.Kind.SEQUENCE_BELOW_MINIMUM),
                kinds(PatchCheck.check(patch, PeReader.read(dir.resolve("v2.dll")), 100)));
    }

    @Test
    void codeOutsideThePatchSectionsIsReported() throws Exception {
        byte[] bad = withTables(t -> withFunction(t, f -> new FunctionRecord(f.baseRva(), 0x7000_0000L, f.patchSize(),
                f.flags(), f.siteRva(), f.originalBytes(), f.fixups(), f.name())));
        assertEquals(Set.of(PatchProblem.Kind.RECORD_OUTSIDE_PATCH), kinds(PatchCheck.check(bad, base, 0)));
    }

    @Test
    void aFixupTargetOutsideTheBaseIsReported() throws Exception {
        byte[] bad = patch.clone();
        int fixup = fixupTable(bad);
        putInt(bad, fixup + 8, (int) base.optionalHeader().sizeOfImage() + 16);      // TargetRva
        List<PatchProblem> p = PatchCheck.check(bad, base, 0);
        assertEquals(Set.of(PatchProblem.Kind.RECORD_OUTSIDE_BASE), kinds(p));
    }

    @Test
    void aTrampolineOverBytesTheBaseDoesNotHoldIsTheWrongBase() throws Exception {
        byte[] bad = withTables(t -> withFunction(t, f -> {
            byte[] original = f.originalBytes();
            original[0] ^= 1;
            return new FunctionRecord(f.baseRva(), f.patchRva(), f.patchSize(), f.flags(), f.siteRva(), original,
                    f.fixups(), f.name());
        }));
        assertEquals(Set.of(PatchProblem.Kind.WRONG_BASE), kinds(PatchCheck.check(bad, base, 0)));
    }

    @Test
    void anUnknownFixupKindIsNamed() throws Exception {
        byte[] bad = patch.clone();
        bad[fixupTable(bad) + 4] = 99;                                                  // Kind
        List<PatchProblem> p = PatchCheck.check(bad, base, 0);
        assertEquals(Set.of(PatchProblem.Kind.UNKNOWN_RECORD_KIND), kinds(p));
        assertTrue(p.get(0).message().contains("kind"), p::toString);
    }

    @Test
    void overlappingTrampolineSitesAreNamed(@TempDir Path tmp) throws Exception {
        Path two = RepoPaths.testdataBin().resolve("x64").resolve("inlined_helper_changed");
        Path out = tmp.resolve("two.hpi");
        Packager.create(two.resolve("v1.dll"), two.resolve("v2.dll"), out, Differ.Options.defaults(),
                PatchWriter.Options.first());
        byte[] bad = Files.readAllBytes(out);
        int tables = tables(bad);
        int functions = tables + getInt(bad, tables + 0x1C);
        assertEquals(2, getInt(bad, tables + 0x20), "two function records");
        int first = functions;
        int second = functions + 64;
        putInt(bad, second, getInt(bad, first) + 2);                                    // BaseRva
        putInt(bad, second + 0x10, getInt(bad, first + 0x10) + 2);                      // SiteRva
        List<PatchProblem> p = PatchCheck.check(bad, PeReader.read(two.resolve("v1.dll")), 0);
        assertEquals(Set.of(PatchProblem.Kind.OVERLAPPING_SITES), kinds(p));
    }

    /** File offset of the hot-patch tables. */
    private static int tables(byte[] image) throws Exception {
        PeImage pe = PeReader.read(image, "patch");
        long rva = pe.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        Section s = pe.sectionAt(rva).orElseThrow();
        return (int) (s.rawOffset() + rva - s.rva());
    }

    /** File offset of the first fixup record. */
    private static int fixupTable(byte[] image) throws Exception {
        int tables = tables(image);
        return tables + getInt(image, tables + 0x24);
    }

    private static int getInt(byte[] b, int at) {
        return b[at] & 0xff | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> 8 * i);
        }
    }

    @Test
    void anImageWithoutTablesIsNotAPatch() throws Exception {
        List<PatchProblem> p = PatchCheck.check(Files.readAllBytes(dir.resolve("v1.dll")), base, 0);
        assertEquals(Set.of(PatchProblem.Kind.MALFORMED_TABLES), kinds(p));
        assertEquals(Set.of(PatchProblem.Kind.MALFORMED_TABLES), kinds(PatchCheck.check(new byte[100], base, 0)));
    }
}
