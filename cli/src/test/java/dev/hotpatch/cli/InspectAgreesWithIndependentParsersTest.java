package dev.hotpatch.cli;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code hotpatch inspect --json} tells the same facts as two parsers that share no code with ours: pefile and GNU
 * objdump (llvm-readobj for the ARM64 images that objdump cannot read). The comparison itself lives in
 * {@code cli/src/test/python/compare_inspect.py}: section table, entry point, image base, exports (names, ordinals,
 * RVAs, forwarders) and imports (per DLL: names or ordinals, hints, IAT slots; delay-load imports too). A fact the
 * tools show and our JSON lacks is a failure, and {@link #theComparisonCanFail} proves the script does fail.
 */
class InspectAgreesWithIndependentParsersTest {

    /**
     * Well-formed files of the shared hostile-PE corpus that pefile parses cleanly (normal and unusual layouts).
     * Left out on purpose: exports_doc.exe (pefile drops export names that contain spaces, which the format
     * allows and we keep) and impbyord.exe (its export directory's name RVA is 0; pefile reads "MZ" from the
     * headers there, we report no DLL name).
     */
    static final List<String> CORPUS_PICKS = List.of("normal.exe", "normal64.exe", "dll.dll", "delayimports.exe",
            "tls64.exe");

    private static final Pattern ARM64 = Pattern.compile("\"machine\"\\s*:\\s*\"arm64\"");

    static Path script() {
        return RepoPaths.root().resolve("cli/src/test/python/compare_inspect.py");
    }

    static Path corpusDir() {
        return RepoPaths.shared().resolve("corpus/malformed");
    }

    /** Every .exe and .dll under testdata/bin (all architectures and scenarios), sorted. */
    static List<Path> builtSamples() throws IOException {
        Path bin = RepoPaths.testdataBin();
        if (!Files.isDirectory(bin)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(bin)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return n.endsWith(".exe") || n.endsWith(".dll");
                    })
                    .sorted()
                    .toList();
        }
    }

    /** The built samples (named by their path under testdata/bin) and the corpus picks (corpus/NAME). */
    static List<Named<Path>> samples() throws IOException {
        List<Named<Path>> all = new ArrayList<>();
        for (Path p : builtSamples()) {
            all.add(Named.of(RepoPaths.testdataBin().relativize(p).toString(), p));
        }
        for (String name : CORPUS_PICKS) {
            Path p = corpusDir().resolve(name);
            if (Files.isRegularFile(p)) {
                all.add(Named.of("corpus/" + name, p));
            }
        }
        return all;
    }

    @Test
    void samplesArePresent() throws IOException {
        assertFalse(builtSamples().isEmpty(), "no .exe or .dll under " + RepoPaths.testdataBin()
                + "; build the samples first (testdata/build.sh)");
    }

    @Test
    void corpusPicksArePresent() {
        ExternalTools.requirePath(corpusDir(), "the shared malformed corpus (clone ../shared beside the repository)");
        for (String name : CORPUS_PICKS) {
            assertTrue(Files.isRegularFile(corpusDir().resolve(name)), "missing corpus file " + name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void inspectAgreesWithPefileAndObjdump(Path file, @TempDir Path tmp) throws Exception {
        Path python = tools();
        String json = inspectJson(file);
        if (ARM64.matcher(json).find()) {
            // Debian's mingw objdump has no ARM64 target; the script reads those images with llvm-readobj instead.
            ExternalTools.require("llvm-readobj", "llvm");
        }
        Path ours = tmp.resolve("ours.json");
        Files.writeString(ours, json, StandardCharsets.UTF_8);

        Result r = run(python.toString(), script().toString(), file.toString(), ours.toString());
        assertEquals(0, r.exitCode, () -> "hotpatch inspect --json disagrees with pefile/objdump on " + file
                + " (compare_inspect.py exit " + r.exitCode + "):\n" + r.output);
    }

    /**
     * The comparison is able to fail: our own JSON with one section's virtual size changed and one named export
     * dropped must make the script exit 1 and name both facts.
     */
    @Test
    void theComparisonCanFail(@TempDir Path tmp) throws Exception {
        Path python = tools();
        Path file = negativeSample();
        Path ours = tmp.resolve("ours.json");
        Path corrupted = tmp.resolve("corrupted.json");
        Files.writeString(ours, inspectJson(file), StandardCharsets.UTF_8);
        if (ARM64.matcher(Files.readString(ours)).find()) {
            ExternalTools.require("llvm-readobj", "llvm");
        }

        Result c = run(python.toString(), "-c", String.join("\n",
                "import json, sys",
                "d = json.load(open(sys.argv[1]))",
                "d['sections'][0]['virtualSize'] += 0x10",
                "e = d.get('exports')",
                "named = [x for x in (e or {}).get('entries') or [] if x.get('name')]",
                "if named:",
                "    e['entries'].remove(named[0])",
                "json.dump(d, open(sys.argv[2], 'w'))",
                "print(named[0]['name'] if named else '')"),
                ours.toString(), corrupted.toString());
        assertEquals(0, c.exitCode, () -> "could not corrupt the JSON:\n" + c.output);
        String dropped = c.output.strip();

        Result r = run(python.toString(), script().toString(), file.toString(), corrupted.toString());
        assertEquals(1, r.exitCode, () -> "a corrupted report must fail the comparison:\n" + r.output);
        assertTrue(r.output.contains("pefile: section[0].virtualSize: ours "),
                () -> "the changed virtual size is not reported:\n" + r.output);
        if (!dropped.isEmpty()) {
            assertTrue(r.output.contains("exports[\"" + dropped + "\"]: ours \"missing\""),
                    () -> "the dropped export " + dropped + " is not reported:\n" + r.output);
        } else {
            // Our JSON shows no exports (none yet, or null): the script must report the exports pefile shows.
            assertTrue(r.output.contains("ours: no \"exports\" in the JSON")
                            || r.output.contains("pefile: exports: ours \"none\""),
                    () -> "missing exports are not reported:\n" + r.output);
        }
    }

    /** A DLL with exports: a built x64 or x86 sample when there is one, else the corpus's dll.dll. */
    private static Path negativeSample() throws IOException {
        for (Path p : builtSamples()) {
            if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dll")
                    && !ARM64.matcher(inspectJson(p)).find()) {
                return p;
            }
        }
        Path dll = corpusDir().resolve("dll.dll");
        ExternalTools.requirePath(dll, "a DLL sample (testdata/bin is empty and the shared corpus is missing)");
        return dll;
    }

    private static Path tools() {
        Path python = ExternalTools.requirePythonModule("pefile", "python3-pefile");
        ExternalTools.require("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64");
        return python;
    }

    /** Runs {@code hotpatch inspect --json FILE} in-process and returns what it printed. */
    private static String inspectJson(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HotpatchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute("inspect", "--json", file.toString());
        if (rc != ExitCodes.OK) {
            fail("hotpatch inspect --json " + file + " exited " + rc + ": " + err);
        }
        return out.toString();
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("compare-inspect", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("timed out after 5 minutes: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }
}
