package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.signer.testsupport.LocalTsa;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code create} signs and verifies with the development key (in the build's test configuration directory),
 * {@code verify} reports every failure with its kind and exits 5, release keys from a keystore and detached
 * signing work from the command line, a time-stamp from a loopback TSA shows in the report, and osslsigncode
 * accepts what create writes.
 */
class SignVerifyCommandTest {
    private static final Path DIR = RepoPaths.testdataBin().resolve("x64").resolve("constant_changed");
    private static final Path V1 = DIR.resolve("v1.dll");
    private static final Path V2 = DIR.resolve("v2.dll");

    static Path patch;
    static Path devRoot;

    static CommandRun run(String... args) {
        return CommandRun.run(args);
    }

    @BeforeAll
    static void createSignedPatch(@TempDir Path tmp) throws Exception {
        patch = tmp.resolve("cc.hpi");
        CommandRun r = run("create", V1.toString(), V2.toString(), "-o", patch.toString(), "--sequence", "4");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("verified"), r.out());
        assertTrue(r.err().contains("DEVELOPMENT key"), "create says loudly that it used the development key: " + r.err());
        devRoot = SigningKeys.configDir().resolve("development-root.pem");
        assertTrue(Files.exists(devRoot), devRoot.toString());
    }

    private static Set<String> failureKinds(String json) {
        Map<String, Object> doc = Json.object(Json.parse(json));
        return Json.array(doc.get("failures")).stream().map(f -> (String) Json.object(f).get("kind"))
                .collect(Collectors.toSet());
    }

    @Test
    void aPatchCreatedWithTheDevelopmentKeyVerifies() {
        CommandRun r = run("verify", patch.toString(), "--base", V1.toString(), "--trust", devRoot.toString(), "--json",
                "--min-sequence", "4");
        assertEquals(ExitCodes.OK, r.exit(), r.out());
        assertEquals(Set.of(), failureKinds(r.out()));
        assertEquals(Boolean.TRUE, Json.object(Json.parse(r.out())).get("verified"));
    }

    @Test
    void everyFailureIsReportedAtOnceAndExits5(@TempDir Path tmp) throws Exception {
        TestPki.Issued stranger = TestPki.root("some other root");
        Path otherRoot = tmp.resolve("other.pem");
        Files.writeString(otherRoot, TestPki.pem(stranger.certificate()));
        CommandRun r = run("verify", patch.toString(), "--base", V2.toString(), "--trust", otherRoot.toString(), "--json",
                "--min-sequence", "5");
        assertEquals(ExitCodes.NOT_VERIFIED, r.exit(), r.out());
        assertEquals(Set.of("untrusted_chain", "wrong_base", "sequence_below_minimum"), failureKinds(r.out()));
        CommandRun text = run("verify", patch.toString(), "--base", V2.toString(), "--trust", otherRoot.toString());
        assertEquals(ExitCodes.NOT_VERIFIED, text.exit());
        assertTrue(text.out().startsWith("NOT verified") && text.out().contains("untrusted_chain: ")
                && text.out().contains("wrong_base: "), text.out());
    }

    @Test
    void aTamperedPatchFailsWithBadDigest(@TempDir Path tmp) throws Exception {
        byte[] bytes = Files.readAllBytes(patch);
        PeImage image = PeReader.read(patch);
        long textOffset = image.section(".text").orElseThrow().rawOffset();
        bytes[(int) textOffset + 1] ^= 0x40;
        Path bad = tmp.resolve("bad.hpi");
        Files.write(bad, bytes);
        CommandRun r = run("verify", bad.toString(), "--base", V1.toString(), "--trust", devRoot.toString(), "--json");
        assertEquals(ExitCodes.NOT_VERIFIED, r.exit());
        assertTrue(failureKinds(r.out()).contains("bad_digest"), r.out());
    }

    @Test
    void osslsigncodeAcceptsWhatCreateWrites() throws Exception {
        Path tool = ExternalTools.require("osslsigncode", "osslsigncode");
        Process p = new ProcessBuilder(tool.toString(), "verify", "-CAfile", devRoot.toString(), "-in", patch.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("Signature verification: ok"), out);
    }

    @Test
    void aKeystoreKeySignsAndATimeStampShows(@TempDir Path tmp) throws Exception {
        TestPki.Issued root = TestPki.root("release root");
        TestPki.Issued leaf = root.issueCodeSigning("release signer");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("release", leaf.privateKey(), "pw".toCharArray(),
                new Certificate[] {leaf.certificate(), root.certificate()});
        Path store = tmp.resolve("release.p12");
        try (var o = Files.newOutputStream(store)) {
            ks.store(o, "pw".toCharArray());
        }
        Path rootPem = tmp.resolve("root.pem");
        Files.writeString(rootPem, TestPki.pem(root.certificate()));
        try (LocalTsa tsa = LocalTsa.start()) {
            Path tsaRoot = tmp.resolve("tsa.pem");
            Files.writeString(tsaRoot, TestPki.pem(tsa.rootCertificate()));
            Path out = tmp.resolve("release.hpi");
            CommandRun c = run("create", V1.toString(), V2.toString(), "-o", out.toString(), "--keystore", store.toString(),
                    "--storepass", "pw", "--timestamp-url", tsa.url().toString(), "--trust", rootPem.toString(),
                    "--trust", tsaRoot.toString());
            assertEquals(ExitCodes.OK, c.exit(), c.out() + c.err());
            assertFalse(c.err().contains("DEVELOPMENT"), c.err());
            CommandRun v = run("verify", out.toString(), "--base", V1.toString(), "--trust", rootPem.toString(), "--trust",
                    tsaRoot.toString(), "--json");
            assertEquals(ExitCodes.OK, v.exit(), v.out());
            Map<String, Object> ts = Json.object(Json.object(Json.object(Json.parse(v.out())).get("signature"))
                    .get("timestamp"));
            assertTrue(((String) ts.get("authority")).contains("CN="), v.out());
            assertEquals(1, tsa.requests());
        }
    }

    @Test
    void detachedSigningFromTheCommandLine(@TempDir Path tmp) throws Exception {
        TestPki.Issued root = TestPki.root("hsm root");
        TestPki.Issued leaf = root.issueCodeSigning("hsm signer");
        Path chain = tmp.resolve("chain.pem");
        Files.writeString(chain, TestPki.pem(leaf.certificate(), root.certificate()));
        Path rootPem = tmp.resolve("root.pem");
        Files.writeString(rootPem, TestPki.pem(root.certificate()));
        Path unsigned = tmp.resolve("unsigned.hpi");
        assertEquals(ExitCodes.OK, run("create", V1.toString(), V2.toString(), "-o", unsigned.toString(), "--unsigned").exit());
        Path request = tmp.resolve("req.txt");
        CommandRun r = run("sign-request", unsigned.toString(), "--cert-chain", chain.toString(), "--request", request.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        byte[] tbs = Files.readAllBytes(tmp.resolve("req.txt.tbs"));
        Signature s = Signature.getInstance("SHA256withECDSA");            // "elsewhere": the HSM's part
        s.initSign(leaf.privateKey());
        s.update(tbs);
        Path sig = tmp.resolve("sig.bin");
        Files.write(sig, s.sign());
        Path signed = tmp.resolve("signed.hpi");
        CommandRun a = run("sign-attach", unsigned.toString(), "--request", request.toString(), "--signature", sig.toString(),
                "--cert-chain", chain.toString(), "-o", signed.toString());
        assertEquals(ExitCodes.OK, a.exit(), a.out() + a.err());
        CommandRun v = run("verify", signed.toString(), "--base", V1.toString(), "--trust", rootPem.toString());
        assertEquals(ExitCodes.OK, v.exit(), v.out());
    }

    @Test
    void badKeyOptionsAreOneSentence() {
        CommandRun r = run("sign", V1.toString(), "-o", "/tmp/never-written.dll", "--keystore", "/nonexistent.p12", "--storepass", "x");
        assertEquals(ExitCodes.ERROR, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(Path.of("/tmp/never-written.dll")));
        CommandRun missing = run("sign", V1.toString(), "-o", "/tmp/never-written.dll", "--key", "/nonexistent.pem");
        assertEquals(ExitCodes.USAGE, missing.exit(), "a missing companion option is a usage mistake");
        assertTrue(missing.err().contains("--cert-chain"), missing.err());
    }

    /**
     * The exhaustive tamper test on a small signed patch, through the same check verify runs: every single-byte
     * flip, several truncations and appended bytes each give at least one failure, and nothing is thrown.
     */
    @Test
    void everySingleByteFlipOfASignedPatchFails() throws Exception {
        byte[] good = Files.readAllBytes(patch);
        PeImage base = PeReader.read(V1);
        List<java.security.cert.X509Certificate> anchors = CertificateChains.readAnchors(List.of(devRoot));
        assertTrue(PatchVerification.of(good, base, anchors, 0).trusted(), "the untouched patch verifies");
        long start = System.nanoTime();
        long[] caught = java.util.stream.IntStream.range(0, good.length).parallel().mapToLong(i -> {
            byte[] bad = good.clone();
            bad[i] ^= (byte) 0x5a;
            return PatchVerification.of(bad, base, anchors, 0).trusted() ? 0 : 1;
        }).toArray();
        long failed = java.util.Arrays.stream(caught).sum();
        assertEquals(good.length, failed, "every flipped byte is caught");
        for (int cut : new int[] {1, 7, 8, 100, good.length / 2, good.length - 1}) {
            assertFalse(PatchVerification.of(java.util.Arrays.copyOf(good, good.length - cut), base, anchors, 0).trusted(),
                    "truncated by " + cut);
        }
        for (int extra : new int[] {1, 8, 4096}) {
            assertFalse(PatchVerification.of(java.util.Arrays.copyOf(good, good.length + extra), base, anchors, 0).trusted(),
                    "with " + extra + " bytes appended");
        }
        System.out.printf("tamper test: %d of %d single-byte flips caught in %.1f s%n", failed, good.length,
                (System.nanoTime() - start) / 1e9);
    }
}
