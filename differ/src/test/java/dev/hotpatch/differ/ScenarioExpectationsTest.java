package dev.hotpatch.differ;

import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.differ.classify.FunctionDiff;
import dev.hotpatch.differ.classify.GlobalDiff;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.KnownGaps;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every testdata scenario, on every architecture and artifact it is built for: the differ's changed, new and
 * deleted functions, new and changed globals, new imports, refusals and verdict equal expect.json (with its
 * per-architecture overrides). The sets cover every function of the image, runtime included: a runtime
 * function reported as changed fails the test. A known gap of the differ (expect.json known_gaps) skips the
 * scenario on that architecture with its reason.
 */
class ScenarioExpectationsTest {

    static Stream<Arguments> pairs() throws IOException {
        Path scenarios = RepoPaths.root().resolve("testdata/scenarios");
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(scenarios)) {
            for (Path dir : dirs.sorted().toList()) {
                Map<String, Object> expect = Json.object(Json.parse(Files.readString(dir.resolve("expect.json"))));
                Map<String, Object> archs = Json.object(expect.get("architectures"));
                for (String arch : archs.keySet()) {
                    for (Object kind : Json.array(archs.get(arch))) {
                        out.add(Arguments.of(dir.getFileName().toString(), arch, kind.toString()));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("pairs")
    void differMatchesExpectation(String scenario, String arch, String kind) throws Exception {
        KnownGaps.skipIfKnown(scenario, KnownGaps.DIFFER, arch);
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Map<String, Object> expect = Json.object(Json.parse(Files.readString(
                RepoPaths.root().resolve("testdata/scenarios").resolve(scenario).resolve("expect.json"))));
        Map<String, Object> functions = Json.object(expect.get("functions"));
        Map<String, Object> globals = Json.object(expect.get("globals"));
        Map<String, Object> overrides = Json.object(expect.get("overrides"));
        if (overrides.containsKey(arch)) {
            Map<String, Object> o = Json.object(overrides.get(arch));
            if (o.containsKey("functions")) {
                functions = merged(functions, Json.object(o.get("functions")));
            }
            if (o.containsKey("globals")) {
                globals = merged(globals, Json.object(o.get("globals")));
            }
        }

        DiffResult result = Differ.diff(dir.resolve("v1." + kind), dir.resolve("v2." + kind), Differ.Options.defaults());

        String where = scenario + " " + arch + " " + kind;
        assertEquals(strings(functions.get("changed")), names(result, Status.CHANGED), where + ": changed functions");
        assertEquals(strings(functions.get("new")), names(result, Status.NEW), where + ": new functions");
        assertEquals(strings(functions.get("deleted")), names(result, Status.DELETED), where + ": deleted functions");
        assertEquals(strings(globals.get("new")), globalNames(result, Status.NEW), where + ": new globals");
        assertEquals(strings(globals.get("changed")), globalNames(result, Status.CHANGED), where + ": changed globals");
        assertEquals(strings(Json.object(expect.get("imports")).get("new")), new TreeSet<>(result.newImports()),
                where + ": new imports");

        Object refusal = expect.get("refusal");
        Set<String> expectedFindings = new TreeSet<>();
        if (refusal != null) {
            Map<String, Object> r = Json.object(refusal);
            expectedFindings.add(r.get("kind") + ":" + r.get("global"));
        }
        Set<String> findings = result.findings().stream().map(f -> f.kind().id() + ":" + f.subject())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expectedFindings, findings, where + ": refusals " + result.findings());

        boolean hotpatchable = (Boolean) expect.get("hotpatchable");
        boolean nothing = strings(functions.get("changed")).isEmpty() && strings(functions.get("new")).isEmpty();
        DiffResult.Verdict verdict = !hotpatchable ? DiffResult.Verdict.NOT_HOTPATCHABLE
                : nothing ? DiffResult.Verdict.NOTHING_TO_PATCH : DiffResult.Verdict.PATCHABLE;
        assertEquals(verdict, result.verdict(), where + ": verdict");
        for (FunctionDiff f : result.withStatus(Status.CHANGED)) {
            assertEquals(true, f.difference() != null && f.method() != null, where + ": " + f.name() + " is explained");
        }
    }

    static Stream<Arguments> arm64Scenarios() throws IOException {
        return pairs().filter(a -> a.get()[1].equals("arm64"));
    }

    /**
     * The ARM64 samples without their PDBs (copied alone into a temporary directory): only exports name
     * functions then, so the test compares how many functions changed, appeared and disappeared, and the
     * verdict (except a grown global, whose size only a PDB gives); discovery, matching through code and data,
     * and classification must still get them right.
     */
    @ParameterizedTest(name = "{0} arm64 without PDB")
    @MethodSource("arm64Scenarios")
    void arm64WithoutPdbFindsTheSameDifference(String scenario, String arch, String kind, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        KnownGaps.skipIfKnown(scenario, KnownGaps.DIFFER, arch);
        KnownGaps.skipIfKnown(scenario, KnownGaps.DIFFER_WITHOUT_PDB, arch);
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Path v1 = Files.copy(dir.resolve("v1.dll"), tmp.resolve("v1.dll"));
        Path v2 = Files.copy(dir.resolve("v2.dll"), tmp.resolve("v2.dll"));
        DiffResult withPdb = Differ.diff(dir.resolve("v1.dll"), dir.resolve("v2.dll"), Differ.Options.defaults());
        DiffResult without = Differ.diff(v1, v2, Differ.Options.defaults());
        String where = scenario + " arm64 without PDB";
        for (Status s : List.of(Status.CHANGED, Status.NEW, Status.DELETED)) {
            assertEquals(withPdb.withStatus(s).size(), without.withStatus(s).size(), where + ": " + s + " " + without.withStatus(s));
        }
        // Without a PDB a global has no size, so a grown global cannot be told from its neighbours: that
        // refusal needs the PDB (or COFF symbols). Every other verdict must not depend on it.
        boolean needsSizes = withPdb.findings().stream().anyMatch(f -> f.kind() == Finding.Kind.GLOBAL_SIZE_CHANGED);
        if (!needsSizes) {
            assertEquals(withPdb.verdict(), without.verdict(), where + ": verdict " + without.findings());
        }
    }

    private static Map<String, Object> merged(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(base);
        m.putAll(over);
        return m;
    }

    private static Set<String> strings(Object list) {
        Set<String> out = new TreeSet<>();
        if (list != null) {
            Json.array(list).forEach(o -> out.add(o.toString()));
        }
        return out;
    }

    private static Set<String> names(DiffResult r, Status s) {
        return r.withStatus(s).stream().map(FunctionDiff::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> globalNames(DiffResult r, Status s) {
        return r.globals().stream().filter(g -> g.status() == s).map(GlobalDiff::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
