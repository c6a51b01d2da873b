package dev.hotpatch.cli;

import dev.hotpatch.packager.format.HotPatchHeader;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What issue 10 asks of every command: nothing destroyed by accident (inputs intact byte for byte, existing outputs
 * replaced only with --force, modes kept, no temporary file left), apply verifying by default, usage mistakes
 * exiting 2 with a pointer to --help, --version everywhere, checks before work (machines, kinds, keys, unused
 * options), the release options of create, and no stack trace when Capstone is missing.
 */
class DoesNoHarmTest {
    private static final Path X64 = RepoPaths.testdataBin().resolve("x64");
    private static final Path V1 = X64.resolve("constant_changed/v1.exe");
    private static final Path V2 = X64.resolve("constant_changed/v2.exe");

    static Path patch;
    static Path devRoot;

    static CommandRun run(String... args) {
        return CommandRun.run(args);
    }

    @BeforeAll
    static void signedPatch(@TempDir Path tmp) {
        patch = tmp.resolve("cc.hpatch");
        CommandRun r = run("create", V1.toString(), V2.toString(), "-o", patch.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        devRoot = SigningKeys.configDir().resolve("development-root.pem");
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    private static Path copy(Path from, Path dir, String name) throws Exception {
        Path to = dir.resolve(name);
        Files.copy(from, to);
        return to;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Exit 2, one line on stderr that points at the command's help, nothing on stdout. */
    private static void assertUsage(CommandRun r, String expectedText) {
        assertEquals(ExitCodes.USAGE, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expectedText), r.err());
        assertTrue(r.err().contains(" --help'"), "points at --help: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", r.out());
    }

    // ---- 3. nothing is destroyed by accident ----

    @Test
    void anOutputThatIsAnInputIsRefusedAndTheInputStaysIntact(@TempDir Path tmp) throws Exception {
        Path old = copy(V1, tmp, "old.exe");
        Path neu = copy(V2, tmp, "new.exe");
        String before = sha256(old);
        assertUsage(run("create", old.toString(), neu.toString(), "-o", old.toString(), "--force"), "is also an input");
        assertUsage(run("create", old.toString(), neu.toString(), "-o", tmp.resolve("./new.exe").toString()),
                "is also an input");
        assertUsage(run("apply", old.toString(), patch.toString(), "-o", old.toString(), "--trust", devRoot.toString(),
                "--force"), "is also an input");
        assertUsage(run("sign", old.toString(), "-o", old.toString(), "--force"), "is also an input");
        Path link = tmp.resolve("link.exe");
        Files.createSymbolicLink(link, old);
        assertUsage(run("sign", old.toString(), "-o", link.toString(), "--force"), "is also an input");
        assertEquals(before, sha256(old));
        assertEquals(List.of("link.exe", "new.exe", "old.exe"), files(tmp));
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithForce(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("p.hpatch");
        Files.writeString(out, "keep me");
        assertUsage(run("create", V1.toString(), V2.toString(), "-o", out.toString()), "--force");
        assertUsage(run("apply", V1.toString(), patch.toString(), "-o", out.toString(), "--trust", devRoot.toString()),
                "--force");
        assertUsage(run("sign", V1.toString(), "-o", out.toString()), "--force");
        assertEquals("keep me", Files.readString(out));
        CommandRun forced = run("create", V1.toString(), V2.toString(), "-o", out.toString(), "--force");
        assertEquals(ExitCodes.OK, forced.exit(), forced.err());
        assertTrue(PatchImageTables.read(PeReader.read(out)).isPresent(), "replaced by the patch");
        assertEquals(List.of("p.hpatch"), files(tmp), "no temporary file left");
    }

    @Test
    void modesAreKept(@TempDir Path tmp) throws Exception {
        Path base = copy(V1, tmp, "base.exe");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path signed = tmp.resolve("signed.exe");
        assertEquals(ExitCodes.OK, run("sign", base.toString(), "-o", signed.toString()).exit());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(signed)),
                "a signed file keeps the mode of the file signed");
        Path patched = tmp.resolve("patched.exe");
        CommandRun a = run("apply", base.toString(), patch.toString(), "-o", patched.toString(), "--trust", devRoot.toString());
        assertEquals(ExitCodes.OK, a.exit(), a.err());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(patched)),
                "a patched image keeps its base's mode");
        Path p = tmp.resolve("p.hpatch");
        Files.writeString(p, "old");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(ExitCodes.OK, run("create", V1.toString(), V2.toString(), "-o", p.toString(), "--force").exit());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
                "a replaced output keeps its mode");
    }

    @Test
    void errorsNameThePathsTheUserGave(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("missing-dir").resolve("p.hpatch");
        CommandRun r = run("create", V1.toString(), V2.toString(), "-o", out.toString());
        assertEquals(ExitCodes.ERROR, r.exit());
        assertTrue(r.err().contains(out.toString()) && r.err().contains("does not exist"), r.err());
        assertFalse(r.err().contains(".tmp"), r.err());

        CommandRun dir = run("inspect", tmp.toString());
        assertEquals(ExitCodes.ERROR, dir.exit());
        assertEquals("hotpatch: " + tmp + " is a directory; give the path of a PE image (EXE, DLL, SYS).",
                dir.err().strip());

        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "just some text here\n");
        for (String[] args : List.of(new String[] {"inspect", text.toString()},
                new String[] {"diff", text.toString(), V2.toString()},
                new String[] {"verify", patch.toString(), "--base", text.toString(), "--trust", devRoot.toString()})) {
            CommandRun t = run(args);
            assertEquals(ExitCodes.ERROR, t.exit(), t.err());
            assertTrue(t.err().contains(text + " is not a Windows PE image"), t.err());
            assertEquals(1, t.err().strip().lines().count(), t.err());
        }
    }

    // ---- 4. apply verifies by default ----

    @Test
    void applyNeedsTrustOrNoVerify(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.exe");
        assertUsage(run("apply", V1.toString(), patch.toString(), "-o", out.toString()), "--trust");
        assertUsage(run("apply", V1.toString(), patch.toString(), "-o", out.toString(), "--trust", devRoot.toString(),
                "--no-verify"), "contradict");
        assertFalse(Files.exists(out));
    }

    @Test
    void applyRefusesUnsignedAndTamperedPatchesWithTrustAndWarnsWithoutIt(@TempDir Path tmp) throws Exception {
        Path unsigned = tmp.resolve("u.hpatch");
        assertEquals(ExitCodes.OK, run("create", V1.toString(), V2.toString(), "-o", unsigned.toString(), "--unsigned").exit());
        Path out = tmp.resolve("out.exe");
        CommandRun r = run("apply", V1.toString(), unsigned.toString(), "-o", out.toString(), "--trust", devRoot.toString());
        assertEquals(ExitCodes.NOT_VERIFIED, r.exit(), r.err());
        assertFalse(Files.exists(out));

        byte[] bytes = Files.readAllBytes(patch);
        bytes[bytes.length / 2] ^= 1;
        Path tampered = tmp.resolve("t.hpatch");
        Files.write(tampered, bytes);
        CommandRun t = run("apply", V1.toString(), tampered.toString(), "-o", out.toString(), "--trust", devRoot.toString());
        assertEquals(ExitCodes.NOT_VERIFIED, t.exit(), t.err());
        assertTrue(t.err().contains("bad_digest"), t.err());
        assertFalse(Files.exists(out));

        CommandRun n = run("apply", V1.toString(), unsigned.toString(), "-o", out.toString(), "--no-verify");
        assertEquals(ExitCodes.OK, n.exit(), n.err());
        assertTrue(n.err().contains("WARNING") && n.err().contains("NOT checked"), n.err());
        assertTrue(Files.exists(out));
    }

    @Test
    void noVerifyStillChecksStructureBaseAndSequence(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.exe");
        // A patch for another base: its identity and trampoline sites do not fit.
        CommandRun other = run("apply", X64.resolve("new_helper/v1.exe").toString(), patch.toString(), "-o", out.toString(),
                "--no-verify");
        assertEquals(ExitCodes.NOT_VERIFIED, other.exit(), other.err());
        assertTrue(other.err().contains("wrong_base"), other.err());
        // --min-sequence is honoured without --trust.
        CommandRun seq = run("apply", V1.toString(), patch.toString(), "-o", out.toString(), "--no-verify", "--min-sequence", "2");
        assertEquals(ExitCodes.NOT_VERIFIED, seq.exit(), seq.err());
        assertTrue(seq.err().contains("sequence_below_minimum"), seq.err());
        // A function record moved onto the base's PE header: refused without the signature check too.
        byte[] bytes = Files.readAllBytes(patch);
        HotPatchTables tables = PatchImageTables.read(PeReader.read(bytes, "p")).orElseThrow();
        long baseRva = tables.functions().get(0).baseRva();
        int at = indexOfLe32(bytes, baseRva, tables);
        bytes[at] = 0x10;
        bytes[at + 1] = 0;
        bytes[at + 2] = 0;
        bytes[at + 3] = 0;
        Path crafted = tmp.resolve("crafted.hpatch");
        Files.write(crafted, bytes);
        CommandRun c = run("apply", V1.toString(), crafted.toString(), "-o", out.toString(), "--no-verify");
        assertEquals(ExitCodes.NOT_VERIFIED, c.exit(), c.err());
        assertFalse(Files.exists(out));
    }

    /** The file offset of the first function record's BaseRva (the record follows the header and HPATCH_BASE). */
    private static int indexOfLe32(byte[] bytes, long value, HotPatchTables tables) {
        byte[] needle = {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)};
        byte[] magic = {0x48, 0x50, 0x41, 0x54};
        int hp = indexOf(bytes, magic, 0);
        int at = indexOf(bytes, needle, hp);
        assertTrue(hp >= 0 && at > hp, "found the tables and the record");
        return at;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- 5. usage mistakes and --version ----

    @Test
    void usageMistakesExit2WithOneLine(@TempDir Path tmp) {
        String out = tmp.resolve("p").toString();
        assertUsage(run("create", "--sequence", "0", V1.toString(), V2.toString(), "-o", out), "--sequence 0");
        assertUsage(run("create", "--sequence", "-1", V1.toString(), V2.toString(), "-o", out), "--sequence -1");
        assertUsage(run("create", "--sequence", "2", "--min-sequence", "5", V1.toString(), V2.toString(), "-o", out),
                "--min-sequence 5");
        assertUsage(run("create", "--sequence", "x", V1.toString(), V2.toString(), "-o", out), "--sequence");
        assertUsage(run("sign", "--timestamp-url", "ftp:/x", V1.toString(), "-o", out), "ftp:/x");
        assertUsage(run("sign", V1.toString(), "-o", out, "--keystore", "a.p12", "--key", "k.pem"), "one key source");
        assertUsage(run("sign", V1.toString(), "-o", out, "--keystore", "a.p12"), "--storepass");
        assertUsage(run("sign", V1.toString(), "-o", out, "--digest", "md5"), "md5");
        assertUsage(run("verify", patch.toString(), "--base", V1.toString(), "--trust", devRoot.toString(),
                "--min-sequence", "-3"), "--min-sequence");
        assertUsage(run("diff", V1.toString()), "NEW");
        assertUsage(run("inspect", "--frobnicate", V1.toString()), "--frobnicate");
        assertUsage(run(), "say which command");
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void optionsACommandDoesNotUseAreRejected(@TempDir Path tmp) {
        String out = tmp.resolve("p").toString();
        assertUsage(run("sign-attach", V1.toString(), "--request", "r", "--signature", "s", "--cert-chain", "c",
                "-o", out, "--digest", "sha384"), "--digest");
        assertUsage(run("sign-attach", V1.toString(), "--request", "r", "--signature", "s", "--cert-chain", "c",
                "-o", out, "--program-name", "x"), "--program-name");
        assertUsage(run("sign-request", V1.toString(), "--cert-chain", "c", "--request", out, "--timestamp-url",
                "http://localhost/"), "--timestamp-url");
        assertUsage(run("create", V1.toString(), V2.toString(), "-o", out, "--unsigned", "--trust", devRoot.toString()),
                "--unsigned");
        assertUsage(run("sign", V1.toString(), "-o", out, "--alias", "a"), "--alias");
    }

    @Test
    void everyCommandPrintsTheVersionFromTheBuild() {
        String top = run("--version").out().strip();
        assertTrue(top.matches("hotpatch \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7,}(-dirty)?|unknown)\\)"), top);
        assertFalse(top.contains("unknown (commit"), "the version comes from the build: " + top);
        for (String command : HotpatchCommand.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            CommandRun r = run(command, "--version");
            assertEquals(ExitCodes.OK, r.exit(), command);
            assertEquals(top, r.out().strip(), command + " --version");
        }
    }

    // ---- 6. checks before work ----

    @Test
    void imagesOfDifferentMachinesOrKindsAreRefusedInOneSentence(@TempDir Path tmp) {
        Path x86 = RepoPaths.testdataBin().resolve("x86/constant_changed/v2.dll");
        Path x64dll = X64.resolve("constant_changed/v1.dll");
        CommandRun m = run("diff", x64dll.toString(), x86.toString());
        assertEquals(ExitCodes.ERROR, m.exit());
        assertEquals("hotpatch: " + x64dll + " is an x64 DLL and " + x86 + " is an x86 DLL; a patch is made from two "
                + "builds of the same binary for the same machine, so give the old and new build of one binary.",
                m.err().strip());
        CommandRun k = run("create", x64dll.toString(), V2.toString(), "-o", tmp.resolve("p").toString());
        assertEquals(ExitCodes.ERROR, k.exit());
        assertTrue(k.err().contains("is an x64 DLL and " + V2 + " is an x64 EXE"), k.err());
        assertEquals("", m.out() + k.out());
    }

    @Test
    void anUnusableKeyIsRefusedBeforeTheDiff(@TempDir Path tmp) throws Exception {
        TestPki.Issued root = TestPki.root("release root");
        Instant now = Instant.now();
        TestPki.Issued expired = root.issue("expired signer", TestPki.ecKeyPair(), TestPki.Profile.HOTPATCH_SIGNING,
                new TestPki.Validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
        TestPki.Issued future = root.issue("future signer", TestPki.ecKeyPair(), TestPki.Profile.HOTPATCH_SIGNING,
                new TestPki.Validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))));
        TestPki.Issued plain = root.issue("code signer", TestPki.ecKeyPair(), TestPki.Profile.CODE_SIGNING,
                TestPki.defaultValidity());
        // A NEW that is not a PE image beyond its first bytes: a key check after the diff would report it instead.
        Path broken = tmp.resolve("broken.exe");
        byte[] mz = Arrays.copyOf(Files.readAllBytes(V2), 200);
        Files.write(broken, mz);
        for (TestPki.Issued leaf : List.of(expired, future, plain)) {
            Path key = TestPki.writePem(tmp.resolve(leaf.certificate().getSerialNumber() + ".key"),
                    TestPki.pkcs8(leaf.privateKey()));
            Path chain = TestPki.writePem(tmp.resolve(leaf.certificate().getSerialNumber() + ".pem"),
                    leaf.certificate(), root.certificate());
            Path out = tmp.resolve("p.hpatch");
            CommandRun c = run("create", V1.toString(), broken.toString(), "-o", out.toString(), "--key", key.toString(),
                    "--cert-chain", chain.toString());
            assertEquals(ExitCodes.ERROR, c.exit(), c.err());
            assertTrue(c.err().contains("expired") || c.err().contains("not valid before")
                    || c.err().contains("not issued for hotpatch signing"), c.err());
            assertFalse(c.err().contains("broken.exe"), "refused before the diff read NEW: " + c.err());
            CommandRun s = run("sign", patch.toString(), "-o", out.toString(), "--key", key.toString(), "--cert-chain",
                    chain.toString());
            assertEquals(ExitCodes.ERROR, s.exit(), s.err());
            assertFalse(Files.exists(out));
        }
        // An ordinary code-signing key may still sign an ordinary image (not a patch).
        Path key = TestPki.writePem(tmp.resolve("plain.key"), TestPki.pkcs8(plain.privateKey()));
        Path chain = TestPki.writePem(tmp.resolve("plain.pem"), plain.certificate(), root.certificate());
        CommandRun ok = run("sign", V1.toString(), "-o", tmp.resolve("v1-signed.exe").toString(), "--key", key.toString(),
                "--cert-chain", chain.toString());
        assertEquals(ExitCodes.OK, ok.exit(), ok.err());
    }

    // ---- 7. what a release needs ----

    @Test
    void createSetsCumulativeAndObligatoryAndTakesPdbs(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("p.hpatch");
        CommandRun r = run("create", V1.toString(), V2.toString(), "-o", out.toString(), "--sequence", "3", "--min-sequence",
                "1", "--cumulative", "--obligatory");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        HotPatchHeader h = PatchImageTables.read(PeReader.read(out)).orElseThrow().header();
        assertTrue(h.cumulative() && h.obligatory() && h.canRollBack(), Integer.toHexString(h.flags()));
        assertEquals(3, h.sequenceNumber());
        assertEquals(1, h.minSequenceNumber());
        Path plain = tmp.resolve("plain.hpatch");
        assertEquals(ExitCodes.OK, run("create", V1.toString(), V2.toString(), "-o", plain.toString()).exit());
        HotPatchHeader p = PatchImageTables.read(PeReader.read(plain)).orElseThrow().header();
        assertFalse(p.cumulative() || p.obligatory(), Integer.toHexString(p.flags()));

        // ARM64 samples name their functions only in PDBs: given explicitly from elsewhere, they name the patch's
        // functions; without them the names are structural.
        Path arm = RepoPaths.testdataBin().resolve("arm64/constant_changed");
        Path a1 = copy(arm.resolve("v1.dll"), tmp, "a1.dll");
        Path a2 = copy(arm.resolve("v2.dll"), tmp, "a2.dll");
        Path withPdb = tmp.resolve("arm-pdb.hpatch");
        CommandRun c = run("create", a1.toString(), a2.toString(), "-o", withPdb.toString(), "--old-pdb",
                arm.resolve("v1.pdb").toString(), "--new-pdb", arm.resolve("v2.pdb").toString());
        assertEquals(ExitCodes.OK, c.exit(), c.err());
        assertTrue(run("inspect", withPdb.toString()).out().contains("    scale  replaces base"), "named from the PDB");
        CommandRun missingPdb = run("create", a1.toString(), a2.toString(), "-o", tmp.resolve("x").toString(), "--old-pdb",
                tmp.resolve("nope.pdb").toString());
        assertEquals(ExitCodes.ERROR, missingPdb.exit());
        assertTrue(missingPdb.err().contains("nope.pdb does not exist"), missingPdb.err());
    }

    @Test
    void reportOnStdoutDiagnosticsOnStderrAndTheDevelopmentWarningOnlyWhenSigning(@TempDir Path tmp) {
        Path same = X64.resolve("no_source_change");
        CommandRun nothing = run("create", same.resolve("v1.exe").toString(), same.resolve("v2.exe").toString(), "-o",
                tmp.resolve("p").toString());
        assertEquals(ExitCodes.NOTHING_TO_PATCH, nothing.exit(), nothing.err());
        assertEquals("", nothing.out());
        assertTrue(nothing.err().contains("nothing to patch"), nothing.err());
        assertFalse(nothing.err().contains("DEVELOPMENT"), "nothing was signed: " + nothing.err());

        CommandRun made = run("create", V1.toString(), V2.toString(), "-o", tmp.resolve("q").toString());
        assertTrue(made.out().startsWith("wrote "), made.out());
        assertTrue(made.err().contains("DEVELOPMENT key") && made.err().contains("development-root.pem"), made.err());
        assertFalse(made.out().contains("WARNING"), made.out());
    }

    // ---- 2. no stack trace when Capstone is missing ----

    @Test
    void theDiffWorksWithoutCapstone() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhotpatch.capstone=no-such-capstone-library", "-cp", System.getProperty("java.class.path"),
                HotpatchCommand.class.getName(), "diff", V1.toString(), V2.toString()));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String stdout = new String(out, StandardCharsets.UTF_8);
        String stderr = new String(err, StandardCharsets.UTF_8);
        assertEquals(ExitCodes.OK, p.exitValue(), stdout + stderr);
        assertTrue(stdout.contains("scale") && stdout.contains("old: (bytes 8d 04 cd"), stdout);
        assertEquals(1, stderr.strip().lines().count(), stderr);
        assertTrue(stderr.contains("libcapstone4"), stderr);
        assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), stderr);
    }

    @Test
    void inputsStayIntactAcrossTheMainJob(@TempDir Path tmp) throws Exception {
        Path old = copy(V1, tmp, "old.exe");
        Path neu = copy(V2, tmp, "new.exe");
        String a = sha256(old);
        String b = sha256(neu);
        Path p = tmp.resolve("p.hpatch");
        assertEquals(ExitCodes.OK, run("create", old.toString(), neu.toString(), "-o", p.toString()).exit());
        String pHash = sha256(p);
        assertEquals(ExitCodes.OK, run("verify", p.toString(), "--base", old.toString(), "--trust", devRoot.toString()).exit());
        assertEquals(ExitCodes.OK, run("apply", old.toString(), p.toString(), "-o", tmp.resolve("patched.exe").toString(),
                "--trust", devRoot.toString()).exit());
        assertEquals(ExitCodes.OK, run("sign", p.toString(), "-o", tmp.resolve("resigned.hpatch").toString()).exit());
        assertEquals(a, sha256(old));
        assertEquals(b, sha256(neu));
        assertEquals(pHash, sha256(p));
        assertEquals(List.of("new.exe", "old.exe", "p.hpatch", "patched.exe", "resigned.hpatch"), files(tmp));
    }

    @Test
    void withJsonAnErrorIsAJsonObjectOnStdout() {
        for (String[] args : List.of(new String[] {"diff", "--json", "/etc/passwd", V2.toString()},
                new String[] {"inspect", "--json", "--frobnicate", V1.toString()},
                new String[] {"verify", "--json", patch.toString(), "--base", V1.toString(), "--trust", "/nonexistent.pem"})) {
            CommandRun r = run(args);
            java.util.Map<String, Object> doc = dev.hotpatch.testsupport.Json.object(dev.hotpatch.testsupport.Json.parse(r.out()));
            java.util.Map<String, Object> error = dev.hotpatch.testsupport.Json.object(doc.get("error"));
            assertEquals(1L, ((Number) doc.get("schema_version")).longValue());
            assertEquals((long) r.exit(), ((Number) error.get("exit_code")).longValue(), String.join(" ", args));
            assertEquals(r.exit() == ExitCodes.USAGE ? "usage" : "input", error.get("kind"), r.out());
            assertTrue(r.err().contains((String) error.get("message")), "the same sentence on stderr: " + r.err());
        }
    }

    @Test
    void jsonNamesItsInputsBySha256() throws Exception {
        java.util.Map<String, Object> diff = dev.hotpatch.testsupport.Json.object(dev.hotpatch.testsupport.Json.parse(
                run("diff", "--json", V1.toString(), V2.toString()).out()));
        assertEquals(1L, ((Number) diff.get("schema_version")).longValue());
        assertEquals(sha256(V1), dev.hotpatch.testsupport.Json.object(diff.get("old")).get("sha256"));
        assertEquals(sha256(V2), dev.hotpatch.testsupport.Json.object(diff.get("new")).get("sha256"));
        java.util.Map<String, Object> verify = dev.hotpatch.testsupport.Json.object(dev.hotpatch.testsupport.Json.parse(
                run("verify", "--json", patch.toString(), "--base", V1.toString(), "--trust", devRoot.toString()).out()));
        assertEquals(1L, ((Number) verify.get("schema_version")).longValue());
        assertEquals(sha256(patch), verify.get("patch_sha256"));
        assertEquals(sha256(V1), verify.get("base_sha256"));
    }
}
