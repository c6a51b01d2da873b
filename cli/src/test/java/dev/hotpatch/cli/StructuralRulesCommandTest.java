package dev.hotpatch.cli;

import dev.hotpatch.packager.verify.StructuralMutants;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 11: patches that each break one structural rule (docs/format.md, section 2.7), re-signed with the
 * development key so that their signatures are sound, fail {@code verify} with exit 5 and a failure of the
 * rule's kind whose message names the rule; {@code apply} without {@code --trust} (no signature check) refuses
 * them too and writes nothing. On x86, x64 and ARM64 patches.
 */
class StructuralRulesCommandTest {

    static CommandRun run(String... args) {
        return CommandRun.run(args);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x86", "x64", "arm64"})
    void reSignedMutantsFailVerifyAndApply(String arch, @TempDir Path tmp) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve("calls_unchanged_and_globals");
        Path v1 = dir.resolve("v1.dll");
        Path unsigned = tmp.resolve("unsigned.hpi");
        CommandRun created = run("create", v1.toString(), dir.resolve("v2.dll").toString(), "-o", unsigned.toString(),
                "--unsigned");
        assertEquals(ExitCodes.OK, created.exit(), created.out() + created.err());
        Path sound = tmp.resolve("sound.hpi");
        assertEquals(ExitCodes.OK, run("sign", unsigned.toString(), "-o", sound.toString()).exit());
        Path root = SigningKeys.configDir().resolve("development-root.pem");
        CommandRun ok = run("verify", sound.toString(), "--base", v1.toString(), "--trust", root.toString());
        assertEquals(ExitCodes.OK, ok.exit(), "the sound patch, re-signed, verifies: " + ok.out());

        List<String> failures = new ArrayList<>();
        int n = 0;
        for (StructuralMutants.Mutant m : new StructuralMutants(arch, Files.readAllBytes(unsigned), PeReader.read(v1))
                .all()) {
            Path mutant = tmp.resolve("mutant" + n + ".hpi");
            Path signed = tmp.resolve("signed" + n + ".hpi");
            n++;
            Files.write(mutant, m.bytes());
            CommandRun sign = run("sign", mutant.toString(), "-o", signed.toString());
            Path checked = sign.exit() == ExitCodes.OK ? signed : mutant;      // a header the signer cannot hash
            CommandRun v = run("verify", checked.toString(), "--base", v1.toString(), "--trust", root.toString(), "--json");
            Map<String, Object> report = Json.object(Json.parse(v.out()));
            Set<String> kinds = Json.array(report.get("failures")).stream()
                    .map(f -> (String) Json.object(f).get("kind")).collect(Collectors.toSet());
            boolean named = Json.array(report.get("failures")).stream()
                    .anyMatch(f -> ((String) Json.object(f).get("message")).contains(m.rule()));
            if (v.exit() != ExitCodes.NOT_VERIFIED || !kinds.contains(m.kind().code()) || !named
                    || checked == signed && (kinds.contains("bad_digest") || kinds.contains("bad_signature"))) {
                failures.add(m + " (" + m.rule() + ", signed: " + (checked == signed) + "): verify exit " + v.exit()
                        + ", " + v.out());
            }
            Path out = tmp.resolve("applied" + n + ".dll");
            // --no-verify skips the signature, never the structure: the engine's rules hold without a trust anchor.
            CommandRun a = run("apply", v1.toString(), checked.toString(), "-o", out.toString(), "--no-verify");
            if (a.exit() != ExitCodes.NOT_VERIFIED || Files.exists(out) || !(a.out() + a.err()).contains(m.rule())) {
                failures.add(m + ": apply exit " + a.exit() + ", " + a.out() + a.err());
            }
        }
        assertEquals(List.of(), failures);
    }
}
