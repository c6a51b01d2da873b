package dev.hotpatch.signer;

import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** osslsigncode (an independent OpenSSL-based implementation) and we accept each other's signatures. */
class OsslsigncodeInteropTest {
    private static final Fixtures PKI = Fixtures.get();
    private static Path tool;
    @TempDir
    static Path dir;
    private static Path rootPem;

    @BeforeAll
    static void setUp() throws IOException {
        tool = ExternalTools.require("osslsigncode", "osslsigncode");
        rootPem = TestPki.writePem(dir.resolve("root.pem"), PKI.root);
    }

    /** Output and exit status of one osslsigncode run. */
    record Run(int exit, String output) {}

    static Run osslsigncode(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x86-rsa3072-sha256", "x64-p256-sha256", "arm64-p384-sha384", "x64-rsa3072-sha384"})
    void osslsigncodeAcceptsOurSignatures(String variant) throws Exception {
        String[] parts = variant.split("-");
        byte[] signed = Signer.sign(Samples.bytes(Samples.dll(parts[0])), SignAndVerifyTest.key(parts[1]),
                SignOptions.defaults().withDigest(DigestAlgorithm.named(parts[2])).withProgramName("hotpatch test"));
        Path file = Files.write(dir.resolve(variant + ".dll"), signed);

        Run run = osslsigncode("verify", "-CAfile", rootPem.toString(), "-in", file.toString());

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("Signature verification: ok"), run.output());
        assertTrue(run.output().contains("Succeeded"), run.output());
        String ours = Verifier.verify(signed, PKI.options()).details().orElseThrow().imageDigest();
        assertEquals(ours, digestLine(run.output(), "Calculated message digest"), run.output());
        assertEquals(ours, digestLine(run.output(), "Current message digest"), run.output());
    }

    @Test
    void osslsigncodeAcceptsOurTimestampedSignature() throws Exception {
        byte[] signed = Signer.sign(Samples.bytes(Samples.dll("x64")), PKI.expired, SignOptions.defaults()
                .withTimestamper(new TestTimestamper(PKI.tsa, Fixtures.WHILE_EXPIRED_LEAF_VALID, false)));
        Path file = Files.write(dir.resolve("timestamped.dll"), signed);

        Run run = osslsigncode("verify", "-CAfile", rootPem.toString(), "-TSA-CAfile", rootPem.toString(),
                "-in", file.toString());

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("Timestamp Server Signature verification: ok"), run.output());
        assertTrue(run.output().contains("Signature verification time: Jun  1 12:00:00 2020 GMT"), run.output());
        assertTrue(run.output().contains("Signature verification: ok"), run.output());
        assertTrue(Verifier.verify(signed, PKI.options()).trusted());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rsa3072", "p256", "p384"})
    void weAcceptOsslsigncodeSignatures(String keyName) throws Exception {
        SigningKey key = SignAndVerifyTest.key(keyName);
        Path signed = signWithOsslsigncode(key, "sha256", "x64", keyName);

        VerificationReport report = Verifier.verifyFile(signed, PKI.options());

        assertTrue(report.trusted(), report.describe());
        Run run = osslsigncode("verify", "-CAfile", rootPem.toString(), "-in", signed.toString());
        assertEquals(report.details().orElseThrow().imageDigest(), digestLine(run.output(), "Calculated message digest"),
                run.output());
    }

    @Test
    void weReportSha1SignaturesByOsslsigncodeAsWeak() throws Exception {
        Path signed = signWithOsslsigncode(PKI.rsa3072, "sha1", "x86", "sha1");

        VerificationReport report = Verifier.verifyFile(signed, PKI.options());

        assertEquals(java.util.Set.of(FailureKind.WEAK_ALGORITHM), report.kinds(), report.describe());
        assertEquals("SHA-1", report.details().orElseThrow().digestAlgorithm());
    }

    @Test
    void weReportRsa2048SignaturesAsWeak() throws Exception {
        Path signed = signWithOsslsigncode(PKI.rsa2048, "sha256", "x64", "rsa2048");

        VerificationReport report = Verifier.verifyFile(signed, PKI.options());

        assertEquals(java.util.Set.of(FailureKind.WEAK_ALGORITHM), report.kinds(), report.describe());
        assertTrue(report.describe().contains("2048 bits"), report.describe());
    }

    /** Signs a sample with osslsigncode, the chain and key given as PEM files. */
    static Path signWithOsslsigncode(SigningKey key, String digest, String machine, String tag) throws Exception {
        Path certs = TestPki.writePem(dir.resolve(tag + "-chain.pem"), key.chain().toArray());
        Path keyPem = TestPki.writePem(dir.resolve(tag + "-key.pem"), TestPki.pkcs8(key.privateKey()));
        Path out = dir.resolve(tag + "-by-osslsigncode.dll");
        Files.deleteIfExists(out);
        Run run = osslsigncode("sign", "-certs", certs.toString(), "-key", keyPem.toString(), "-h", digest,
                "-in", Samples.dll(machine).toString(), "-out", out.toString());
        assertEquals(0, run.exit(), run.output());
        return out;
    }

    /** The hex digest osslsigncode prints on a line such as "Calculated message digest : 1A2B...". */
    static String digestLine(String output, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s*:\\s*([0-9A-Fa-f]+)").matcher(output);
        assertTrue(m.find(), "no \"" + label + "\" line in:\n" + output);
        return m.group(1).toLowerCase(Locale.ROOT);
    }
}
