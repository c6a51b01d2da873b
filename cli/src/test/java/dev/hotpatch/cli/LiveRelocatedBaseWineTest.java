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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under Wine (x64): a base DLL the loader had to relocate (engine/proof/relocated.c reserves its preferred
 * ImageBase first, as ASLR would move it) is patched live: the patch is mapped within reach of where the base
 * really is, its fixups bind to the relocated base, and the called function answers like v2 (testdata
 * constant_changed: scale(5) is 38 in v1 and 48 in v2); rollback brings v1's answer back.
 */
class LiveRelocatedBaseWineTest {
    private static final Pattern LOADED = Pattern.compile("loaded at (\\w+) preferred (\\w+)");

    @Test
    void patchesARelocatedDll(@TempDir Path tmp) throws Exception {
        ExternalTools.require("wine", "wine");
        Path dir = RepoPaths.testdataBin().resolve("x64/constant_changed");
        Path patch = tmp.resolve("scale.hpi");
        LiveCommandWineTest.Run r = LiveCommandWineTest.run("create", dir.resolve("v1.dll").toString(),
                dir.resolve("v2.dll").toString(), "-o", patch.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        Path stop = tmp.resolve("stop");
        Process target = new ProcessBuilder("wine",
                RepoPaths.root().resolve("engine/bin/proof/x64/relocated.exe").toString(),
                LiveEngine.windowsPath(dir.resolve("v1.dll")), "scale", "5", LiveEngine.windowsPath(stop))
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
            for (int i = 0; i < 600 && lines.stream().noneMatch(l -> l.startsWith("tick")); i++) {
                Thread.sleep(50);
            }
            Matcher m = lines.stream().map(LOADED::matcher).filter(Matcher::find).findFirst()
                    .orElseThrow(() -> new AssertionError("not loaded: " + lines));
            assertNotEquals(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
                    "the DLL was not relocated: " + m.group());
            long pid = Long.parseLong(lines.stream().filter(l -> l.startsWith("pid ")).findFirst().orElseThrow()
                    .substring(4).strip());
            assertEquals("38", answerAfterATick(lines));
            Path anchor = SigningKeys.configDir().resolve("development-root.pem");
            r = LiveCommandWineTest.run("live", "apply", "--pid", Long.toString(pid), patch.toString(), "--trust",
                    anchor.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("at 0x" + Long.toHexString(Long.parseUnsignedLong(m.group(1), 16)) + ":"),
                    r.out());
            assertEquals("48", answerAfterATick(lines));
            r = LiveCommandWineTest.run("live", "rollback", "--pid", Long.toString(pid), patch.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals("38", answerAfterATick(lines));
        } finally {
            Files.writeString(stop, "stop");
            if (!target.waitFor(60, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
        }
    }

    /** The latest result, from a tick printed at least one tick after now. */
    private static String answerAfterATick(List<String> lines) throws InterruptedException {
        for (int ticks = 0; ticks < 2; ) {
            int seen = lines.size();
            for (int i = 0; i < 100 && lines.size() == seen; i++) {
                Thread.sleep(10);
            }
            if (lines.get(lines.size() - 1).startsWith("tick")) {
                ticks++;
            }
        }
        String last = lines.get(lines.size() - 1);
        return last.substring(last.indexOf("r=") + 2);
    }
}
