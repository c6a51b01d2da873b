package dev.hotpatch.cli;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 11: seeded byte changes to signed x86, x64 and ARM64 patches (headers and anywhere) give verify,
 * inspect, apply and sign one sentence each, never "internal error" or a stack trace
 * ({@code -Dhotpatch.mutants=N} for a longer run; 300 per machine pass).
 */
class CommandsRobustnessTest {
    private static final int MUTANTS = Integer.getInteger("hotpatch.mutants", 25);

    static CommandRun run(String... args) {
        return CommandRun.run(args);
    }

    @Test
    void mutatedSignedPatchesGetOneSentence(@TempDir Path tmp) throws Exception {
        List<String> bad = new ArrayList<>();
        for (String arch : new String[] {"x86", "x64", "arm64"}) {
            Path dir = RepoPaths.testdataBin().resolve(arch).resolve("new_import");
            Path v1 = dir.resolve("v1.dll");
            Path patch = tmp.resolve(arch + ".hpi");
            assertEquals(0, run("create", v1.toString(), dir.resolve("v2.dll").toString(), "-o", patch.toString()).exit());
            Path root = SigningKeys.configDir().resolve("development-root.pem");
            byte[] bytes = Files.readAllBytes(patch);
            Random r = new Random(arch.hashCode());
            for (int m = 0; m < MUTANTS; m++) {
                byte[] b = bytes.clone();
                int n = 1 + r.nextInt(3);
                for (int k = 0; k < n; k++) {
                    int at = m % 3 == 0 ? r.nextInt(Math.min(b.length, 0x400)) : r.nextInt(b.length);
                    b[at] = r.nextInt(3) == 0 ? (byte) 0xFF : (byte) r.nextInt(256);
                }
                Path p = tmp.resolve("m.hpi");
                Files.write(p, b);
                Path out = tmp.resolve("o.dll");
                for (String[] cmd : new String[][] {
                        {"verify", p.toString(), "--base", v1.toString(), "--trust", root.toString()},
                        {"inspect", p.toString()}, {"inspect", p.toString(), "--json"},
                        {"apply", v1.toString(), p.toString(), "-o", out.toString(), "--no-verify"},
                        {"sign", p.toString(), "-o", tmp.resolve("s.hpi").toString()}}) {
                    CommandRun x = run(cmd);
                    if ((x.out() + x.err()).contains("internal error") || (x.out() + x.err()).contains("Exception in")
                            || (x.out() + x.err()).contains("\tat ")) {
                        bad.add(arch + " " + m + " " + cmd[0] + ": " + x.err());
                    }
                }
            }
        }
        assertEquals(List.of(), bad.subList(0, Math.min(5, bad.size())));
    }
}
