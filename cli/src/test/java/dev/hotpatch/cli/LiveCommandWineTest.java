package dev.hotpatch.cli;

import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proof of issue 13 under Wine (x64): engine/proof/live.cpp runs four threads that call compute() in a tight
 * loop and count which build's answer each call returns (any other answer is "other"), and call compute(-1)
 * inside a try/catch (an exception through whichever compute() runs must reach the unchanged caller's catch).
 * `hotpatch live` patches it: results switch to v2's within a second with no other answer and no crash; rollback
 * switches back; a tampered patch and a patch for another base are refused and nothing changes; a patch with a
 * new import and a new global works; later cumulative patches replace the applied one; an older one is refused.
 */
class LiveCommandWineTest {
    private static final Path BIN = RepoPaths.root().resolve("engine/bin/proof/x64");
    private static final Pattern TICK = Pattern.compile(
            "tick v1=(\\d+) v2=(\\d+) v3=(\\d+) v4=(\\d+) other=(\\d+) caught=(\\d+) missed=(\\d+)");

    @TempDir
    static Path tmp;
    static Process target;
    static final List<String> lines = new CopyOnWriteArrayList<>();
    static long pid;
    static Path anchor;
    static Path stopFile;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = HotpatchCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    /** Counts of one tick line: v1, v2, v3, v4, other, caught, missed. */
    record Tick(long[] n) {
        long v(int version) { return n[version - 1]; }
        long other() { return n[4]; }
        long caught() { return n[5]; }
        long missed() { return n[6]; }
    }

    static Tick lastTick() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = TICK.matcher(lines.get(i));
            if (m.find()) {
                long[] n = new long[7];
                for (int k = 0; k < 7; k++) {
                    n[k] = Long.parseLong(m.group(k + 1));
                }
                return new Tick(n);
            }
        }
        throw new AssertionError("the live program printed no tick: " + lines);
    }

    /** A tick printed after now (ticks come every 50 ms). */
    static Tick nextTick() throws InterruptedException {
        int seen = lines.size();
        for (int i = 0; i < 100 && lines.size() == seen; i++) {
            Thread.sleep(10);
        }
        Thread.sleep(60);
        return lastTick();
    }

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.require("wine", "wine");
        anchor = SigningKeys.configDir().resolve("development-root.pem");
        stopFile = tmp.resolve("stop");
        target = new ProcessBuilder("wine", BIN.resolve("live_v1.exe").toString(), "300",
                LiveEngine.windowsPath(stopFile)).redirectErrorStream(true).start();
        target.getOutputStream().close();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(target.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        for (int i = 0; i < 600 && pid == 0; i++) {
            for (String l : lines) {
                if (l.startsWith("pid ")) {
                    pid = Long.parseLong(l.substring(4).strip());
                }
            }
            Thread.sleep(50);
        }
        assertTrue(pid > 0, "the live program printed no pid: " + lines);
        for (int i = 0; i < 200 && lines.stream().noneMatch(l -> l.startsWith("tick")); i++) {
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) {
            // the program ends when the stop file exists (killing the wine launcher would not end it)
            Files.writeString(stopFile, "stop");
            if (!target.waitFor(60, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
            assertTrue(lines.contains("done"), "the live program did not end cleanly: "
                    + lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        }
    }

    static Path create(String newVersion, String... extra) {
        Path out = tmp.resolve("live_" + newVersion + "_" + extra.length + ".hpi");
        String[] args = new String[5 + extra.length];
        args[0] = "create";
        args[1] = BIN.resolve("live_v1.exe").toString();
        args[2] = BIN.resolve("live_" + newVersion + ".exe").toString();
        args[3] = "-o";
        args[4] = out.toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        Run r = run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return out;
    }

    static Run apply(Path patch) {
        return run("live", "apply", "--pid", Long.toString(pid), patch.toString(), "--trust", anchor.toString());
    }

    static void assertSwitchedTo(int version, String what) throws InterruptedException {
        // within a second: two ticks in which only `version` counted
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        Tick a = nextTick();
        Tick b = nextTick();
        while (!onlyCounted(a, b, version) && System.nanoTime() < deadline) {
            a = b;
            b = nextTick();
        }
        assertTrue(onlyCounted(a, b, version), what + ": results did not switch to v" + version + " within a second: "
                + lines.subList(Math.max(0, lines.size() - 4), lines.size()));
        assertEquals(0, b.other(), what + ": inconsistent results");
        assertEquals(0, b.missed(), what + ": compute(-1) returned instead of throwing");
        assertTrue(b.caught() > a.caught(), what + ": no exception reached the caller's catch");
        assertTrue(target.isAlive() && !lines.contains("done"), what + ": the process died");
    }

    private static boolean onlyCounted(Tick a, Tick b, int version) {
        for (int v = 1; v <= 4; v++) {
            if ((v == version) != (b.v(v) > a.v(v))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void patchesARunningProcess() throws Exception {
        assertSwitchedTo(1, "before any patch");
        Path p2 = create("v2");
        Path p3 = create("v3", "--sequence", "2", "--min-sequence", "1");
        Path p4 = create("v4", "--sequence", "3", "--min-sequence", "1");

        // a tampered patch (one byte of code changed, CheckSum made right again) is refused; nothing changes
        byte[] bytes = Files.readAllBytes(p2);
        PeImage image = PeReader.read(bytes, "p2");
        int text = (int) image.section(".text").orElseThrow().rawOffset();
        bytes[text + 4] ^= 1;
        int checkSumAt = (int) image.ntHeadersOffset() + 24 + 64;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(checkSumAt, (int) PeChecksum.compute(bytes, checkSumAt));
        Path tampered = tmp.resolve("tampered.hpi");
        Files.write(tampered, bytes);
        Run r = apply(tampered);
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("bad_digest"), r.err());

        // a patch for another base is refused
        Path other = tmp.resolve("other.hpi");
        Path cc = RepoPaths.testdataBin().resolve("x64/constant_changed");
        assertEquals(0, run("create", cc.resolve("v1.exe").toString(), cc.resolve("v2.exe").toString(), "-o",
                other.toString()).exit());
        r = apply(other);
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("wrong_base"), r.err());
        Run status = run("live", "status", "--pid", Long.toString(pid));
        assertTrue(status.out().contains("no patch is applied"), status.out());
        assertSwitchedTo(1, "after the refusals");

        // v1 -> v2 live, and back
        r = apply(p2);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("applied patch 1") && r.out().contains("read back and checked"), r.out());
        assertSwitchedTo(2, "patch v2");
        status = run("live", "status", "--pid", Long.toString(pid), "--json");
        Map<String, Object> doc = Json.object(Json.parse(status.out()));
        Map<String, Object> fact = Json.object(Json.array(doc.get("facts")).get(0));
        assertEquals("1", fact.get("sequence"), status.out());
        assertTrue(((String) fact.get("module")).endsWith("live_v1.exe"), status.out());
        r = run("live", "rollback", "--pid", Long.toString(pid), p2.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertSwitchedTo(1, "rollback");

        // patch 1, then patch 2 (a new import and a new global) replaces it, then patch 3 replaces that
        assertEquals(0, apply(p2).exit());
        assertSwitchedTo(2, "patch 1 again");
        r = apply(p3);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("replaced patch 1"), r.out());
        assertSwitchedTo(3, "patch 2: new import and new global");
        r = apply(p4);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertSwitchedTo(4, "patch 3, cumulative");
        r = apply(p2);
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("cannot follow the applied patch 3"), r.err());
        assertSwitchedTo(4, "after the refused older patch");
        r = run("live", "rollback", "--pid", Long.toString(pid), p4.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertSwitchedTo(1, "rollback of patch 3");
    }
}
