package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keys on a real SoftHSM2 token that this test initialises in a temporary token directory. The JVM under test is a
 * child ({@link Pkcs11Child}) started with SOFTHSM2_CONF pointing there; signatures it makes through the token are
 * verified here with the certificates this test issued.
 */
class Pkcs11KeyLoaderTest {
    private static final Path SOFTHSM = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final String LABEL = "hotpatch-test";
    private static final String PIN = "1234";

    @TempDir
    static Path dir;
    private static Path config;
    private static long slot;
    private static KeyFixtures.Pki ecPki;
    private static TestPki.Issued rsaLeaf;

    @BeforeAll
    static void createTokenWithEcAndRsaKeys() throws Exception {
        Path util = ExternalTools.require("softhsm2-util", "softhsm2");
        ExternalTools.requirePath(SOFTHSM, "the SoftHSM2 PKCS#11 module (Debian package softhsm2)");
        Path tokens = Files.createDirectory(dir.resolve("tokens"));
        config = dir.resolve("softhsm2.conf");
        Files.writeString(config, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                + "log.level = ERROR\n");
        String init = run(util.toString(), "--init-token", "--free", "--label", LABEL, "--pin", PIN,
                "--so-pin", "5678");
        Matcher reassigned = Pattern.compile("reassigned to slot (\\d+)").matcher(init);
        assertTrue(reassigned.find(), init);
        slot = Long.parseLong(reassigned.group(1));

        ecPki = KeyFixtures.Pki.create();
        KeyPair rsa = TestPki.rsaKeyPair(3072);
        rsaLeaf = ecPki.root().issueCodeSigning("RSA Token Signer", rsa);
        char[] password = "transfer".toCharArray();
        KeyStore transfer = KeyStore.getInstance("PKCS12");
        transfer.load(null, null);
        transfer.setKeyEntry("ec-signer", ecPki.leaf().privateKey(), password,
                ecPki.chain().toArray(new Certificate[0]));
        transfer.setKeyEntry("rsa-signer", rsa.getPrivate(), password,
                new Certificate[]{rsaLeaf.certificate(), ecPki.root().certificate()});
        Path p12 = KeyFixtures.save(transfer, dir.resolve("transfer.p12"), password);

        List<String> out = child(0, "provision", "library=" + SOFTHSM, "label=" + LABEL, "pin=" + PIN, "p12=" + p12,
                "password=transfer");
        assertEquals(List.of("slot " + slot), out, "the label lookup finds the slot softhsm2-util reported");
    }

    @Test
    void ecKeyOnTokenChosenByLabelSignsThroughItsProvider() throws Exception {
        List<String> out = child(0, "sign", "library=" + SOFTHSM, "label=" + LABEL, "pin=" + PIN, "alias=ec-signer");
        assertEquals("SunPKCS11-hotpatch-slot-" + slot, value(out, "provider"));
        assertTrue(value(out, "key-class").startsWith("sun.security.pkcs11.P11Key"), value(out, "key-class"));
        assertEquals(ecPki.chain(), certificates(out));
        assertSignatureVerifies(out, ecPki.leaf().certificate());
    }

    @Test
    void rsa3072KeyOnTokenChosenBySlotSignsThroughItsProvider() throws Exception {
        List<String> out = child(0, "sign", "library=" + SOFTHSM, "slot=" + slot, "pin=" + PIN, "alias=rsa-signer");
        assertEquals(List.of(rsaLeaf.certificate(), ecPki.root().certificate()), certificates(out));
        assertTrue(value(out, "signature").startsWith("SHA256withRSA "));
        assertSignatureVerifies(out, rsaLeaf.certificate());
    }

    @Test
    void chainFromPemFileReplacesTheTokensCertificates() throws Exception {
        Path chain = TestPki.writePem(dir.resolve("token-chain.pem"), ecPki.root().certificate(),
                ecPki.intermediate().certificate(), ecPki.leaf().certificate());
        List<String> out = child(0, "sign", "library=" + SOFTHSM, "label=" + LABEL, "pin=" + PIN, "alias=ec-signer",
                "chain=" + chain);
        assertEquals(ecPki.chain(), certificates(out));
        assertSignatureVerifies(out, ecPki.leaf().certificate());
    }

    @Test
    void chainFromPemFileOfAnotherKeyIsRefused() throws Exception {
        Path chain = TestPki.writePem(dir.resolve("rsa-chain.pem"), rsaLeaf.certificate(), ecPki.root().certificate());
        List<String> out = child(3, "sign", "library=" + SOFTHSM, "label=" + LABEL, "pin=" + PIN, "alias=ec-signer",
                "chain=" + chain);
        assertEquals("the certificate CN=RSA Token Signer,O=hotpatch tests of key 'ec-signer' on token '" + LABEL
                + "' of " + SOFTHSM + " does not match its private key; pass the certificate that was issued for this "
                + "key", value(out, "error"));
    }

    @Test
    void wrongPinSaysSo() throws Exception {
        List<String> out = child(3, "sign", "library=" + SOFTHSM, "label=" + LABEL, "pin=9999", "alias=ec-signer");
        assertEquals("the PIN for token '" + LABEL + "' of " + SOFTHSM + " is wrong; check it (tokens lock after a "
                + "few wrong tries)", value(out, "error"));
    }

    @Test
    void unknownAliasListsTheTokensEntries() throws Exception {
        List<String> out = child(3, "sign", "library=" + SOFTHSM, "label=" + LABEL, "pin=" + PIN, "alias=release");
        assertEquals("token '" + LABEL + "' of " + SOFTHSM + " has no key 'release' (its entries: ec-signer, "
                + "rsa-signer); pass one of those labels", value(out, "error"));
    }

    @Test
    void unknownTokenLabelListsTheTokens() throws Exception {
        List<String> out = child(3, "sign", "library=" + SOFTHSM, "label=release-hsm", "pin=" + PIN,
                "alias=ec-signer");
        String error = value(out, "error");
        assertTrue(error.startsWith("no token labelled 'release-hsm' is present in " + SOFTHSM + " (tokens: '"
                + LABEL + "' in slot " + slot), error);
        assertTrue(error.endsWith("); check the label or insert the token"), error);
    }

    @Test
    void missingModuleSaysSo() throws Exception {
        List<String> out = child(3, "sign", "library=/nonexistent/libpkcs11.so", "slot=0", "pin=" + PIN,
                "alias=ec-signer");
        assertEquals("the PKCS#11 module /nonexistent/libpkcs11.so does not exist; pass the path of the token's "
                + "PKCS#11 library (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)", value(out, "error"));
    }

    private static void assertSignatureVerifies(List<String> out, X509Certificate certificate) throws Exception {
        String[] parts = value(out, "signature").split(" ");
        Signature verifier = Signature.getInstance(parts[0]);
        verifier.initVerify(certificate);
        verifier.update("hotpatch".getBytes());
        assertTrue(verifier.verify(Base64.getDecoder().decode(parts[1])), "the token's signature verifies");
    }

    private static List<X509Certificate> certificates(List<String> out) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        for (String line : out) {
            if (line.startsWith("certificate ")) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(
                        Base64.getDecoder().decode(line.substring("certificate ".length())))));
            }
        }
        return chain;
    }

    private static String value(List<String> out, String key) {
        return out.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1)).findFirst()
                .orElseGet(() -> fail("no '" + key + "' line in the child's output: " + out));
    }

    /** Runs {@link Pkcs11Child} with SOFTHSM2_CONF set and returns its output lines. */
    private static List<String> child(int expectedExit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Pkcs11Child.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SOFTHSM2_CONF", config.toString());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child JVM did not finish: " + output);
        }
        assertEquals(expectedExit, p.exitValue(), "exit status of " + args[0] + ": " + output);
        return output.lines().toList();
    }

    private static String run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SOFTHSM2_CONF", config.toString());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }
}
