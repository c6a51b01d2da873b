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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof by execution on every architecture: the DLL v1 patched offline, called through the repository's
 * unicorn harness (testdata/tools/probe.py, a fresh image per call, reading and writing the base's globals),
 * returns what v2 returns for every probe of the scenario. An empty answer fails.
 *
 * <p>Every scenario with a DLL that can be hotpatched is covered; a known gap of the packager (expect.json
 * known_gaps) skips the scenario on that architecture with its reason.
 */
class ApplyProbesLikeNewTest {

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (String arch : List.of("x86", "x64", "arm64")) {
            for (String s : PatchableScenarios.built(arch, "dll")) {
                out.add(Arguments.of(s, arch));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairs")
    void patchedV1AnswersWhatV2Answers(String scenario, String arch, @TempDir Path tmp) throws Exception {
        KnownGaps.skipIfKnown(scenario, KnownGaps.PACKAGER, arch);
        Path python = ExternalTools.requirePythonModule("unicorn", "python3-unicorn");
        ExternalTools.requirePythonModule("pefile", "python3-pefile");
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Path patch = tmp.resolve("patch.hpi");
        Path patched = tmp.resolve("patched.dll");
        assertTrue(Packager.create(dir.resolve("v1.dll"), dir.resolve("v2.dll"), patch, Differ.Options.defaults(),
                PatchWriter.Options.first()).patchBytes().isPresent());
        OfflineApplier.apply(dir.resolve("v1.dll"), patch, patched);

        Map<String, Object> expect = Json.object(Json.parse(Files.readString(
                RepoPaths.root().resolve("testdata/scenarios").resolve(scenario).resolve("expect.json"))));
        int probed = 0;
        for (Object o : Json.array(expect.get("probes"))) {
            Map<String, Object> probe = Json.object(o);
            if (probe.get("v2") == null) {
                continue;
            }
            List<String> command = new ArrayList<>(List.of(python.toString(),
                    RepoPaths.root().resolve("testdata/tools/probe.py").toString(), patched.toString(),
                    (String) probe.get("function")));
            Json.array(probe.get("args")).forEach(a -> command.add(a.toString()));
            Process p = new ProcessBuilder(command).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            assertFalse(out.isEmpty(), () -> probe + ": no answer; " + err);
            assertEquals(probe.get("v2").toString(), out, () -> scenario + " " + arch + " " + probe + ": " + err);
            probed++;
        }
        assertTrue(probed > 0);
    }
}
