package dev.hotpatch.packager.apply;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.KnownGaps;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof by execution on x64: create a patch from v1 to v2, apply it to v1 offline, run the result under Wine,
 * and it prints exactly what v2 prints (expect.json), which differs from what v1 prints. The output is checked,
 * never the exit code, and empty output fails.
 * Every scenario with an x64 EXE that can be hotpatched is covered, cpp_exception_through_changed included (a
 * C++ exception thrown below the patched function passes through it to the handler above, which needs the
 * patch's unwind data merged). A known gap of the packager (expect.json known_gaps) skips the scenario with its
 * reason.
 */
class ApplyRunsLikeNewTest {

    static List<String> scenarios() {
        return PatchableScenarios.built("x64", "exe");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void patchedV1PrintsWhatV2Prints(String scenario, @TempDir Path tmp) throws Exception {
        KnownGaps.skipIfKnown(scenario, KnownGaps.PACKAGER, "x64");
        Path wine = ExternalTools.require("wine", "wine");
        Path dir = RepoPaths.testdataBin().resolve("x64").resolve(scenario);
        Map<String, Object> stdout = Json.object(Json.object(Json.parse(Files.readString(
                RepoPaths.root().resolve("testdata/scenarios").resolve(scenario).resolve("expect.json")))).get("stdout"));
        Path patch = tmp.resolve("patch.hpi");
        Path patched = tmp.resolve("patched.exe");
        assertTrue(Packager.create(dir.resolve("v1.exe"), dir.resolve("v2.exe"), patch, Differ.Options.defaults(),
                PatchWriter.Options.first()).patchBytes().isPresent());
        OfflineApplier.apply(dir.resolve("v1.exe"), patch, patched);

        String out = run(wine, patched);
        assertFalse(out.isEmpty(), "the patched image printed nothing");
        assertEquals(stdout.get("v2"), out, scenario + ": the patched v1 prints what v2 prints");
        if (!stdout.get("v1").equals(stdout.get("v2"))) {
            assertNotEquals(stdout.get("v1"), out);
        }
    }

    private static String run(Path wine, Path exe) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(wine.toString(), exe.getFileName().toString())
                .directory(exe.getParent().toFile()).redirectErrorStream(false);
        pb.environment().put("WINEDEBUG", "-all");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
}
