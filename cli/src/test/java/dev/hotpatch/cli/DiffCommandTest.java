package dev.hotpatch.cli;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.KnownGaps;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a user sees from {@code hotpatch diff}: the exit code of every sample pair as its expect.json implies it,
 * refusals that name the global and say what to do, JSON that tells the same facts as the text and is the same
 * bytes on every run, one sentence and exit code 1 for unreadable input, exit code 2 for usage errors, and
 * "nothing to patch" for two builds that differ only in build noise (time stamps, GUID, checksum).
 */
class DiffCommandTest {

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HotpatchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static Path bin(String relative) {
        return RepoPaths.testdataBin().resolve(relative);
    }

    // ---- every sample pair: exit code from expect.json, JSON facts = text facts, expected names reported ----

    /** One v1/v2 pair of a scenario, with that scenario's expectation for its architecture (overrides applied). */
    record Pair(String scenario, String arch, Path v1, Path v2, Map<String, Object> expect) {
        List<String> expected(String group, String list) {
            Map<String, Object> overrides = Json.object(expect.get("overrides"));
            Object forArch = overrides == null ? null : overrides.get(arch);
            if (forArch != null) {
                Object g = Json.object(forArch).get(group);
                if (g != null && Json.object(g).containsKey(list)) {
                    return strings(Json.object(g).get(list));
                }
            }
            return strings(Json.object(expect.get(group)).get(list));
        }

        /** 4 when the scenario must be refused, 0 when a function changed or appeared or a global is new, else 3. */
        int expectedExit() {
            if (!Boolean.TRUE.equals(expect.get("hotpatchable"))) {
                return ExitCodes.NOT_HOTPATCHABLE;
            }
            boolean something = !expected("functions", "changed").isEmpty() || !expected("functions", "new").isEmpty()
                    || !expected("globals", "new").isEmpty();
            return something ? ExitCodes.OK : ExitCodes.NOTHING_TO_PATCH;
        }

        Map<String, Object> refusal() {
            return Json.object(expect.get("refusal"));
        }
    }

    private static List<String> strings(Object list) {
        return Json.array(list).stream().map(String.class::cast).toList();
    }

    /** Every pair under testdata/bin that some scenario's expect.json lists, named arch/scenario/v1.ext. */
    static List<Named<Pair>> pairs() throws IOException {
        List<Named<Pair>> all = new ArrayList<>();
        Path scenarios = RepoPaths.root().resolve("testdata/scenarios");
        try (Stream<Path> dirs = Files.list(scenarios)) {
            for (Path dir : dirs.sorted().toList()) {
                Path expectFile = dir.resolve("expect.json");
                if (!Files.isRegularFile(expectFile)) {
                    continue;
                }
                Map<String, Object> expect = Json.object(Json.parse(Files.readString(expectFile)));
                String scenario = dir.getFileName().toString();
                for (Map.Entry<String, Object> arch : Json.object(expect.get("architectures")).entrySet()) {
                    for (String ext : strings(arch.getValue())) {
                        String base = arch.getKey() + "/" + scenario + "/";
                        all.add(Named.of(base + "v1." + ext, new Pair(scenario, arch.getKey(),
                                bin(base + "v1." + ext), bin(base + "v2." + ext), expect)));
                    }
                }
            }
        }
        return all;
    }

    static Stream<Named<Pair>> refusedPairs() throws IOException {
        return pairs().stream().filter(p -> p.getPayload().refusal() != null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void exitCodeIsTheVerdictOfTheExpectationAndJsonTellsWhatTheTextTells(Pair pair) {
        KnownGaps.skipIfKnown(pair.scenario(), KnownGaps.DIFFER, pair.arch());
        Result text = run("diff", pair.v1().toString(), pair.v2().toString());
        assertEquals(pair.expectedExit(), text.exit(), text.err() + text.out());
        assertEquals("", text.err());
        Result json = run("diff", "--json", pair.v1().toString(), pair.v2().toString());
        assertEquals(text.exit(), json.exit(), json.err());
        Map<String, Object> doc = Json.object(Json.parse(json.out()));
        assertEquals((long) text.exit(), doc.get("exit_code"));
        assertEquals(Facts.ofText(text.out()), Facts.ofJson(doc));

        Facts facts = Facts.ofJson(doc);
        Set<String> changed = new HashSet<>(facts.names("changed"));
        assertTrue(changed.containsAll(pair.expected("functions", "changed")), "changed: " + changed);
        for (String same : pair.expected("functions", "unchanged")) {
            assertFalse(changed.contains(same), same + " is unchanged but reported changed");
        }
        assertTrue(facts.names("new").containsAll(pair.expected("functions", "new")), "new: " + facts.names("new"));
        assertTrue(facts.names("deleted").containsAll(pair.expected("functions", "deleted")),
                "deleted: " + facts.names("deleted"));
        assertTrue(facts.globalNames("new").containsAll(pair.expected("globals", "new")),
                "globals: " + facts.globals());
        assertTrue(facts.globalNames("changed").containsAll(pair.expected("globals", "changed")),
                "globals: " + facts.globals());
        assertTrue(facts.newImports().containsAll(strings(Json.object(pair.expect().get("imports")).get("new"))),
                "new imports: " + facts.newImports());
    }

    @Test
    void constantChangedX64ExeHasSomethingToPatchAndShowsTheFirstDifference() {
        Result r = run("diff", bin("x64/constant_changed/v1.exe").toString(),
                bin("x64/constant_changed/v2.exe").toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains("verdict: patchable\n"), r.out());
        assertTrue(Pattern.compile("(?m)^  scale  \\d+ -> \\d+ bytes").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("first difference at instruction"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPairs")
    void refusalNamesTheGlobalAndSaysWhatToDoInsteadInOneSentenceEach(Pair pair) {
        String global = (String) pair.refusal().get("global");
        Result r = run("diff", pair.v1().toString(), pair.v2().toString());
        assertEquals(ExitCodes.NOT_HOTPATCHABLE, r.exit(), r.err());
        assertTrue(r.out().contains("verdict: not hotpatchable\n"), r.out());
        List<Finding> findings = Facts.ofText(r.out()).findings();
        Finding f = findings.stream().filter(x -> x.message().contains("`" + global + "`")).findFirst()
                .orElseThrow(() -> new AssertionError("no finding names global `" + global + "`:\n" + r.out()));
        assertOneSentence(f.message());
        assertOneSentence(f.advice());

        Map<String, Object> doc = Json.object(Json.parse(run("diff", "--json", pair.v1().toString(),
                pair.v2().toString()).out()));
        assertTrue(Json.array(doc.get("findings")).stream().map(Json::object).anyMatch(
                j -> pair.refusal().get("kind").equals(j.get("kind")) && global.equals(j.get("subject"))),
                "JSON findings: " + doc.get("findings"));
    }

    // ---- reproducible output ----

    @ParameterizedTest
    @ValueSource(strings = {"x64/function_deleted/v1.exe", "x86/global_size_changed/v1.dll",
        "arm64/new_import/v1.dll", "x64/relinked_order/v1.exe"})
    void outputIsTheSameBytesOnEveryRun(String v1) {
        String a = bin(v1).toString();
        String b = a.replace("v1.", "v2.");
        Result first = run("diff", "--json", a, b);
        assertEquals(first.out(), run("diff", "--json", a, b).out());
        assertEquals(run("diff", a, b).out(), run("diff", a, b).out());
    }

    @Test
    void jsonIsTheSameBytesFromAFreshJvm() throws Exception {
        String a = bin("x64/function_deleted/v1.dll").toString();
        String b = bin("x64/function_deleted/v2.dll").toString();
        String inProcess = run("diff", "--json", a, b).out();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                HotpatchCommand.class.getName(), "diff", "--json", a, b).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String fresh = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("hotpatch diff in a fresh JVM did not finish in 120 s");
        }
        assertEquals(ExitCodes.OK, p.exitValue());
        assertEquals(inProcess, fresh);
    }

    // ---- help, usage errors, unreadable input ----

    @Test
    void helpListsTheExitCodesOfADiff() {
        Result r = run("diff", "--help");
        assertEquals(ExitCodes.OK, r.exit());
        String exitCodes = r.out().substring(r.out().indexOf("Exit codes:"));
        for (int code : new int[] {ExitCodes.OK, ExitCodes.NOTHING_TO_PATCH, ExitCodes.NOT_HOTPATCHABLE}) {
            assertTrue(Pattern.compile("(?m)^\\s+" + code + "\\s+\\S").matcher(exitCodes).find(), r.out());
        }
    }

    @Test
    void usageErrorsExitWith2() {
        String v1 = bin("x64/constant_changed/v1.exe").toString();
        assertEquals(ExitCodes.USAGE, run("diff").exit());
        Result one = run("diff", v1);
        assertEquals(ExitCodes.USAGE, one.exit());
        assertTrue(one.err().contains("NEW"), one.err());
        assertEquals(ExitCodes.USAGE, run("diff", v1, v1, v1).exit());
        assertEquals(ExitCodes.USAGE, run("diff", "--no-such-option", v1, v1).exit());
    }

    @Test
    void aTextFileIsOneSentenceAndExit1WhicheverSideItIs(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "these are release notes, not a Windows binary\n");
        String good = bin("x64/constant_changed/v1.exe").toString();
        assertUnreadable(run("diff", text.toString(), good), text.toString());
        assertUnreadable(run("diff", good, text.toString()), text.toString());
        Result json = run("diff", "--json", good, text.toString());
        assertEquals(ExitCodes.ERROR, json.exit());
        assertTrue(json.err().contains(text.toString()), json.err());
        Map<String, Object> error = Json.object(Json.object(Json.parse(json.out())).get("error"));
        assertEquals("input", error.get("kind"), "with --json the error is also a JSON object on stdout: " + json.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x64/constant_changed/v2.exe", "x86/constant_changed/v2.dll",
        "arm64/constant_changed/v2.dll"})
    void aTruncatedCopyOfASampleIsOneSentenceAndExit1(String sample, @TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(bin(sample));
        Path cut = Files.createTempDirectory(dir, "truncated").resolve(bin(sample).getFileName());
        Files.write(cut, java.util.Arrays.copyOf(whole, halfwayThroughTheCode(bin(sample))));
        assertUnreadable(run("diff", bin(sample.replace("v2.", "v1.")).toString(), cut.toString()), cut.toString());
    }

    /** The file offset halfway through the raw data of the image's first code section (as inspect reports it). */
    private static int halfwayThroughTheCode(Path image) {
        Map<String, Object> doc = Json.object(Json.parse(run("inspect", "--json", image.toString()).out()));
        for (Object o : Json.array(doc.get("sections"))) {
            Map<String, Object> section = Json.object(o);
            if (((Long) section.get("characteristics") & 0x20) != 0) {   // IMAGE_SCN_CNT_CODE
                return (int) ((Long) section.get("rawOffset") + (Long) section.get("rawSize") / 2);
            }
        }
        throw new AssertionError(image + " has no code section");
    }

    @Test
    void aMissingFileIsOneSentenceAndExit1(@TempDir Path dir) {
        Path missing = dir.resolve("nope.dll");
        Result r = run("diff", bin("x64/constant_changed/v1.dll").toString(), missing.toString());
        assertUnreadable(r, missing.toString());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void aPdbOfAnotherBuildIsOneSentenceAndExit1() {
        Path v1 = bin("arm64/constant_changed/v1.dll");
        Path otherPdb = bin("arm64/constant_changed/v2.pdb");
        Result r = run("diff", "--old-pdb", otherPdb.toString(), v1.toString(),
                bin("arm64/constant_changed/v2.dll").toString());
        assertUnreadable(r, otherPdb.toString());
    }

    private static void assertUnreadable(Result r, String file) {
        assertEquals(ExitCodes.ERROR, r.exit(), r.err() + r.out());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("hotpatch: "), err);
        assertTrue(err.contains(file), err);
        assertFalse(err.contains("internal error"), err);
        assertOneSentence(err.substring("hotpatch: ".length()));
    }

    /** One sentence: one line, ends with a full stop, no full stop followed by a new sentence inside. */
    private static void assertOneSentence(String s) {
        assertEquals(1, s.lines().count(), s);
        assertTrue(s.endsWith("."), s);
        assertFalse(Pattern.compile("[.!?]\\s+[A-Z]").matcher(s).find(), "more than one sentence: " + s);
    }

    // ---- build noise only: nothing to patch ----

    /**
     * A copy restamped by testdata/tools/restamp.py (as build.sh makes no_source_change) differs from its original
     * in the COFF TimeDateStamp, the debug directory's TimeDateStamps, the CodeView GUID (with the PDB beside it
     * restamped along, so the two still match) and the CheckSum, and in nothing else: nothing to patch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"x64/constant_changed/v1.dll", "x86/constant_changed/v1.exe",
        "arm64/constant_changed/v1.dll"})
    void aCopyDifferingOnlyInBuildNoiseIsNothingToPatch(String sample, @TempDir Path dir) throws Exception {
        Path python = ExternalTools.require(ExternalTools.PYTHON, "python3");   // restamp.py needs only the stdlib
        Path original = bin(sample);
        Path copy = Files.createTempDirectory(dir, "restamped").resolve(original.getFileName());
        Files.copy(original, copy);
        List<String> command = new ArrayList<>(List.of(python.toString(),
                RepoPaths.root().resolve("testdata/tools/restamp.py").toString(), copy.toString(), "0x65000000"));
        Path originalPdb = Path.of(original.toString().replaceAll("\\.(dll|exe)$", ".pdb"));
        boolean withPdb = Files.isRegularFile(originalPdb);
        if (withPdb) {
            Path copyPdb = copy.resolveSibling(originalPdb.getFileName());
            Files.copy(originalPdb, copyPdb);
            command.add(copyPdb.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "restamp.py failed: " + said);

        assertBuildNoiseDiffers(original, copy, withPdb);
        Result r = run("diff", "--json", original.toString(), copy.toString());
        assertEquals(ExitCodes.NOTHING_TO_PATCH, r.exit(), r.err() + r.out());
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        assertEquals("nothing_to_patch", doc.get("verdict"));
        if (withPdb) {   // both sides were read with their PDB: the restamped PDB still matches the restamped copy
            for (String side : List.of("old", "new")) {
                Map<String, Object> image = Json.object(doc.get(side));
                assertTrue((Long) Json.object(image.get("found_by")).get("pdb") > 0, side + ": " + image);
            }
        }
    }

    /** The facts restamp.py changes do differ (read back with {@code hotpatch inspect --json}). */
    private static void assertBuildNoiseDiffers(Path original, Path copy, boolean codeView) throws IOException {
        Map<String, Object> a = Json.object(Json.parse(run("inspect", "--json", original.toString()).out()));
        Map<String, Object> b = Json.object(Json.parse(run("inspect", "--json", copy.toString()).out()));
        assertNotEquals(a.get("timeDateStamp"), b.get("timeDateStamp"));
        assertNotEquals(a.get("checkSum"), b.get("checkSum"));
        List<Object> debugA = Json.array(a.get("debug"));
        List<Object> debugB = Json.array(b.get("debug"));
        assertEquals(debugA.size(), debugB.size());
        for (int i = 0; i < debugA.size(); i++) {
            assertNotEquals(Json.object(debugA.get(i)).get("timeDateStamp"),
                    Json.object(debugB.get(i)).get("timeDateStamp"), "debug directory entry " + i);
        }
        if (codeView) {
            Map<String, Object> cvA = Json.object(Json.object(debugA.get(0)).get("codeView"));
            Map<String, Object> cvB = Json.object(Json.object(debugB.get(0)).get("codeView"));
            assertNotEquals(cvA.get("guid"), cvB.get("guid"));
        }
        assertEquals(Files.size(original), Files.size(copy));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(original), Files.readAllBytes(copy)));
    }

    // ---- the facts of a report, read from the text and from the JSON ----

    record Fn(String status, String name, long oldSize, long newSize, long oldRva, long newRva, String method,
              long confidencePercent, Long index, String oldInsn, String newInsn) {}

    record Global(String status, String name, String reason, long oldSize, long newSize) {}

    record Finding(String message, String advice) {}

    /** {@code images}: functions and instructions of the old, then the new image; {@code warnings}: "old: ...". */
    record Facts(String verdict, List<Long> summary, List<Long> images, List<String> warnings, List<Fn> functions,
                 List<Global> globals, List<String> newImports, List<String> removedExports, List<Finding> findings) {

        List<String> names(String status) {
            return functions.stream().filter(f -> f.status().equals(status)).map(Fn::name).toList();
        }

        List<String> globalNames(String status) {
            return globals.stream().filter(g -> g.status().equals(status)).map(Global::name).toList();
        }

        private static final Pattern SUMMARY =
                Pattern.compile("functions: (\\d+) same, (\\d+) changed, (\\d+) new, (\\d+) deleted( \\(.*\\))?");
        private static final Pattern IMAGE =
                Pattern.compile("(old|new) image: (\\d+) functions, (\\d+) instructions, .*");
        private static final Pattern CHANGED = Pattern.compile("  (.+?)  (\\d+) -> (\\d+) bytes"
                + "  at 0x(\\p{XDigit}+) -> 0x(\\p{XDigit}+)  matched by (.+) \\(confidence ([0-9.]+)\\)");
        private static final Pattern LISTED = Pattern.compile("  (.+?)  (\\d+) bytes  at 0x(\\p{XDigit}+)");
        private static final Pattern FIRST = Pattern.compile("    first difference at instruction (\\d+):");
        private static final Pattern GLOBAL_NEW = Pattern.compile("  new      (.+) \\((\\d+) bytes\\)");
        private static final Pattern GLOBAL_SIZE = Pattern.compile("  changed  (.+): size (\\d+) -> (\\d+) bytes");
        private static final Pattern GLOBAL_VALUE = Pattern.compile("  changed  (.+): initial value");

        /** Reads the text report: a header, then sections, each a title line after a blank line. */
        static Facts ofText(String text) {
            Map<String, List<String>> sections = new java.util.LinkedHashMap<>();
            List<String> current = sections.computeIfAbsent("header", k -> new ArrayList<>());
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isEmpty()) {
                    current = sections.computeIfAbsent(lines.get(++i), k -> new ArrayList<>());
                } else {
                    current.add(lines.get(i));
                }
            }
            Set<String> known = Set.of("header", "changed functions", "new functions", DELETED, "globals",
                    "new imports", "removed exports (the base keeps them)", "cannot be hotpatched");
            assertTrue(known.containsAll(sections.keySet()), "unknown section in " + sections.keySet());

            String verdict = null;
            List<Long> summary = null;
            List<Long> images = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            String side = null;
            for (String line : sections.get("header")) {
                Matcher m;
                if (line.startsWith("verdict: ")) {
                    verdict = after(line, "verdict: ");
                } else if ((m = SUMMARY.matcher(line)).matches()) {
                    summary = List.of(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
                } else if ((m = IMAGE.matcher(line)).matches()) {
                    side = m.group(1);
                    images.add(Long.parseLong(m.group(2)));
                    images.add(Long.parseLong(m.group(3)));
                } else if (line.startsWith("  warning: ")) {
                    warnings.add(side + ": " + after(line, "  warning: "));
                }
            }
            List<Fn> functions = new ArrayList<>(changedFunctions(section(sections, "changed functions")));
            section(sections, "new functions").forEach(l -> functions.add(listed("new", l)));
            section(sections, DELETED).forEach(l -> functions.add(listed("deleted", l)));
            List<Global> globals = section(sections, "globals").stream().map(Facts::global).toList();
            List<String> imports = section(sections, "new imports").stream().map(l -> after(l, "  ")).toList();
            List<String> removed = section(sections, "removed exports (the base keeps them)").stream()
                    .map(l -> after(l, "  ")).toList();
            List<String> refusals = section(sections, "cannot be hotpatched");
            List<Finding> findings = new ArrayList<>();
            for (int i = 0; i + 1 < refusals.size(); i += 2) {
                findings.add(new Finding(after(refusals.get(i), "  "), after(refusals.get(i + 1), "    instead: ")));
            }
            return new Facts(verdict, summary, images, warnings, functions, globals, imports, removed, findings);
        }

        private static final String DELETED = "deleted functions (the base keeps them; nothing to patch)";

        private static List<String> section(Map<String, List<String>> sections, String title) {
            return sections.getOrDefault(title, List.of());
        }

        /**
         * A changed function's line, the sources that found it, then (when it was explained) where it first
         * differs and the two instructions.
         */
        private static List<Fn> changedFunctions(List<String> lines) {
            List<Fn> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = CHANGED.matcher(lines.get(i));
                assertTrue(m.matches(), "not a changed function: " + lines.get(i));
                Long index = null;
                String oldInsn = null;
                String newInsn = null;
                if (i + 1 < lines.size() && lines.get(i + 1).startsWith("    found by: ")) {
                    i++;    // the sources that found it (the JSON has them as found_by)
                }
                if (i + 1 < lines.size() && lines.get(i + 1).startsWith("    ")) {
                    Matcher first = FIRST.matcher(lines.get(i + 1));
                    index = first.matches() ? Long.parseLong(first.group(1)) : -1L;
                    oldInsn = after(lines.get(i + 2), "      old: ");
                    newInsn = after(lines.get(i + 3), "      new: ");
                    i += 3;
                }
                out.add(new Fn("changed", m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4), 16), Long.parseLong(m.group(5), 16), m.group(6),
                        Math.round(Double.parseDouble(m.group(7)) * 100), index, oldInsn, newInsn));
            }
            return out;
        }

        private static Fn listed(String status, String line) {
            Matcher m = LISTED.matcher(line);
            assertTrue(m.matches(), "not a " + status + " function: " + line);
            boolean isNew = status.equals("new");
            long size = Long.parseLong(m.group(2));
            long rva = Long.parseLong(m.group(3), 16);
            return new Fn(status, m.group(1), isNew ? -1 : size, isNew ? size : -1, isNew ? -1 : rva, isNew ? rva : -1,
                    null, -1, null, null, null);
        }

        private static Global global(String line) {
            Matcher m;
            if ((m = GLOBAL_NEW.matcher(line)).matches()) {
                return new Global("new", m.group(1), "", -1, Long.parseLong(m.group(2)));
            }
            if ((m = GLOBAL_SIZE.matcher(line)).matches()) {
                return new Global("changed", m.group(1), "size", Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)));
            }
            if ((m = GLOBAL_VALUE.matcher(line)).matches()) {
                return new Global("changed", m.group(1), "initial value", -1, -1);
            }
            throw new AssertionError("not a global: " + line);
        }

        /** The same facts from the JSON; fields the text does not show (sizes of a new global's old side) are -1. */
        static Facts ofJson(Map<String, Object> doc) {
            Map<String, Object> s = Json.object(doc.get("summary"));
            List<Long> summary = Stream.of("same", "changed", "new", "deleted").map(k -> (Long) s.get(k)).toList();
            List<Long> images = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            for (String side : List.of("old", "new")) {
                Map<String, Object> image = Json.object(doc.get(side));
                images.add((Long) image.get("functions"));
                images.add((Long) image.get("instructions"));
                strings(image.get("warnings")).forEach(w -> warnings.add(side + ": " + w));
            }
            List<Fn> functions = new ArrayList<>();
            for (String status : List.of("changed", "new", "deleted")) {   // the text's order: by status, as listed
                for (Object o : Json.array(doc.get("functions"))) {
                    Map<String, Object> f = Json.object(o);
                    if (!status.equals(f.get("status"))) {
                        continue;
                    }
                    boolean changed = status.equals("changed");
                    Map<String, Object> match = changed ? Json.object(f.get("match")) : null;
                    Map<String, Object> d = Json.object(f.get("first_difference"));
                    functions.add(new Fn(status, (String) f.get("name"), num(f, "old_size"), num(f, "new_size"),
                            num(f, "old_rva"), num(f, "new_rva"), changed ? (String) match.get("method") : null,
                            changed ? (Long) match.get("confidence_percent") : -1,
                            d == null ? null : (Long) d.get("index") < 0 ? -1L : (Long) d.get("index"),
                            d == null ? null : (String) d.get("old"), d == null ? null : (String) d.get("new")));
                }
            }
            List<Global> globals = new ArrayList<>();
            for (Object o : Json.array(doc.get("globals"))) {
                Map<String, Object> g = Json.object(o);
                String reason = (String) g.getOrDefault("reason", "");
                boolean sizes = "size".equals(reason);
                boolean isNew = "new".equals(g.get("status"));
                globals.add(new Global((String) g.get("status"), (String) g.get("name"), reason,
                        sizes ? num(g, "old_size") : -1, isNew || sizes ? num(g, "new_size") : -1));
            }
            List<Finding> findings = Json.array(doc.get("findings")).stream().map(Json::object)
                    .map(f -> new Finding((String) f.get("message"), (String) f.get("advice"))).toList();
            return new Facts(((String) doc.get("verdict")).replace('_', ' '), summary, images, warnings, functions,
                    globals, strings(doc.get("new_imports")), strings(doc.get("removed_exports")), findings);
        }

        private static long num(Map<String, Object> o, String key) {
            return o.containsKey(key) ? (Long) o.get(key) : -1;
        }

        private static String after(String line, String prefix) {
            if (!line.startsWith(prefix)) {
                throw new AssertionError("expected a line starting with '" + prefix + "': " + line);
            }
            return line.substring(prefix.length());
        }
    }

    // ---- findings first, --summary ----

    @Test
    void theReasonsComeFirstAndTheSummaryListsOnlyNames() {
        String a = bin("x64/global_size_changed/v1.exe").toString();
        String b = bin("x64/global_size_changed/v2.exe").toString();
        String full = run("diff", a, b).out();
        assertTrue(full.indexOf("cannot be hotpatched") < full.indexOf("changed functions"), full);
        Result summary = run("diff", "--summary", a, b);
        assertEquals(ExitCodes.NOT_HOTPATCHABLE, summary.exit());
        String text = summary.out();
        assertTrue(text.contains("global `history` grew from 16 to 32 bytes"), text);
        assertTrue(text.indexOf("cannot be hotpatched") < text.indexOf("changed functions\n  capacity\n  record\n"), text);
        assertFalse(text.contains("first difference") || text.contains("found by"), text);
        String json = run("diff", "--json", a, b).out();
        assertTrue(json.indexOf("\"findings\"") < json.indexOf("\"globals\""), "findings first in JSON too");
        Result both = run("diff", "--json", "--summary", a, b);
        assertEquals(ExitCodes.USAGE, both.exit());
    }
}
