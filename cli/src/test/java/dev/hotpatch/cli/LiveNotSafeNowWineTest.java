package dev.hotpatch.cli;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under Wine (x64): when a thread stays inside the bytes a trampoline overwrites (engine/proof/stuck.c holds its
 * worker there), `hotpatch live apply` retries a bounded number of times, then gives up with exit 6 and a
 * message naming the function and the thread, and nothing is applied.
 */
class LiveNotSafeNowWineTest {
    @Test
    void givesUpNamingTheFunctionAndTheThread(@TempDir Path tmp) throws Exception {
        ExternalTools.require("wine", "wine");
        Path bin = RepoPaths.root().resolve("engine/bin/proof/x64");
        Path patch = tmp.resolve("stuck.hpi");
        LiveCommandWineTest.Run r = LiveCommandWineTest.run("create", bin.resolve("stuck_v1.exe").toString(),
                bin.resolve("stuck_v2.exe").toString(), "-o", patch.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        Path stop = tmp.resolve("stop");
        Process target = new ProcessBuilder("wine", bin.resolve("stuck_v1.exe").toString(), LiveEngine.windowsPath(stop))
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(target.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            for (int i = 0; i < 600 && !lines.contains("held"); i++) {
                Thread.sleep(50);
            }
            assertTrue(lines.contains("held"), "the program never held its worker inside stuck(): " + lines);
            long pid = Long.parseLong(lines.stream().filter(l -> l.startsWith("pid ")).findFirst().orElseThrow()
                    .substring(4).strip());
            Path anchor = SigningKeys.configDir().resolve("development-root.pem");
            r = LiveCommandWineTest.run("live", "apply", "--pid", Long.toString(pid), patch.toString(), "--trust",
                    anchor.toString());
            assertEquals(6, r.exit(), r.out() + r.err());
            assertTrue(r.err().matches("(?s)not safe now: thread \\d+ stayed inside the bytes the trampoline of "
                    + "function stuck overwrites through \\d+ attempts.*"), r.err());
            r = LiveCommandWineTest.run("live", "status", "--pid", Long.toString(pid));
            assertTrue(r.out().contains("no patch is applied"), r.out());
        } finally {
            Files.writeString(stop, "stop");
            if (!target.waitFor(60, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
        }
    }
}
