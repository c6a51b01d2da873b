package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chain and trust-anchor file readers the command line uses, and the issuer test they share with verify. */
class CertificateChainsTest {
    private static final KeyFixtures.Pki PKI = KeyFixtures.Pki.create();

    @TempDir
    Path dir;

    private Path der(String name, X509Certificate... certificates) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (X509Certificate c : certificates) {
            out.write(c.getEncoded());
        }
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    private static String failure(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(SignerException.class, call).getMessage();
    }

    @Test
    void chainFileInPemOrDerComesBackLeafFirst() throws Exception {
        Path pem = TestPki.writePem(dir.resolve("chain.pem"), PKI.root().certificate(), PKI.leaf().certificate(),
                PKI.intermediate().certificate());
        assertEquals(PKI.chain(), CertificateChains.readChainFile(pem));
        Path der = der("chain.der", PKI.intermediate().certificate(), PKI.root().certificate(),
                PKI.leaf().certificate());
        assertEquals(PKI.chain(), CertificateChains.readChainFile(der));
        Path leafOnly = der("leaf.cer", PKI.leaf().certificate());
        assertEquals(List.of(PKI.leaf().certificate()), CertificateChains.readChainFile(leafOnly));
    }

    @Test
    void chainFileThatIsNotOneChainIsRefused() throws Exception {
        Path gap = der("gap.der", PKI.leaf().certificate(), PKI.root().certificate());
        assertEquals("the certificate file " + gap + " does not hold one chain: 2 certificates issued none of the "
                + "others (CN=Test Signer,O=hotpatch tests; CN=Test Root,O=hotpatch tests); keep only the signer's "
                + "certificate and its issuers", failure(() -> CertificateChains.readChainFile(gap)));
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        assertEquals("the certificate file " + key + " holds no PEM certificate (BEGIN CERTIFICATE); pass the "
                + "signer's certificate and its issuers in PEM or DER",
                failure(() -> CertificateChains.readChainFile(key)));
    }

    @Test
    void anchorsFromSeveralFilesKeepFileOrder() throws Exception {
        TestPki.Issued other = TestPki.root("Other Root");
        Path pem = TestPki.writePem(dir.resolve("root.pem"), PKI.root().certificate());
        Path der = der("other.der", other.certificate());
        assertEquals(List.of(PKI.root().certificate(), other.certificate()),
                CertificateChains.readAnchors(List.of(pem, der)));
        Path both = TestPki.writePem(dir.resolve("both.pem"), other.certificate(), PKI.leaf().certificate());
        assertEquals(List.of(other.certificate(), PKI.leaf().certificate()),
                CertificateChains.readAnchors(List.of(both)), "anchors are taken as given, not ordered as a chain");
    }

    @Test
    void everyAnchorFileMustHoldACertificate() throws Exception {
        Path root = TestPki.writePem(dir.resolve("root.pem"), PKI.root().certificate());
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        assertEquals("the trust anchor file " + key + " holds no PEM certificate (BEGIN CERTIFICATE); pass the pinned"
                + " root (or signer) certificate in PEM or DER",
                failure(() -> CertificateChains.readAnchors(List.of(root, key))), "the second file is named");
        Path empty = Files.write(dir.resolve("empty.pem"), new byte[0]);
        assertEquals("the trust anchor file " + empty + " holds no PEM certificate (BEGIN CERTIFICATE); pass the "
                + "pinned root (or signer) certificate in PEM or DER",
                failure(() -> CertificateChains.readAnchors(List.of(empty, root))));
        Path missing = dir.resolve("missing.pem");
        assertEquals("the trust anchor file " + missing + " does not exist; check the path",
                failure(() -> CertificateChains.readAnchors(List.of(missing))));
        byte[] damaged = PKI.root().certificate().getEncoded();
        Path cut = Files.write(dir.resolve("cut.der"), java.util.Arrays.copyOf(damaged, damaged.length / 2));
        String message = failure(() -> CertificateChains.readAnchors(List.of(cut)));
        assertTrue(message.startsWith("the trust anchor file " + cut + " is not a DER certificate ("), message);
        assertTrue(message.endsWith("); pass the pinned root (or signer) certificate in PEM or DER"), message);
        assertFalse(message.contains("\n"), "one sentence: " + message);
    }

    @Test
    void issuedNeedsTheIssuersNameAndKey() {
        assertTrue(CertificateChains.issued(PKI.intermediate().certificate(), PKI.leaf().certificate()));
        assertTrue(CertificateChains.issued(PKI.root().certificate(), PKI.root().certificate()), "self-signed");
        assertFalse(CertificateChains.issued(PKI.root().certificate(), PKI.leaf().certificate()), "another name");
        TestPki.Issued impostor = TestPki.root("Test Intermediate");
        assertEquals(PKI.intermediate().certificate().getSubjectX500Principal(),
                impostor.certificate().getSubjectX500Principal());
        assertFalse(CertificateChains.issued(impostor.certificate(), PKI.leaf().certificate()), "same name, other key");
    }

    @Test
    void keyStoreChainsMustBeX509AndInOrder() throws Exception {
        assertEquals(PKI.chain(), CertificateChains.fromKeyStore(PKI.chain().toArray(new Certificate[0]), "entry 'k'"));
        assertEquals("entry 'k' has no certificate chain; store the key together with its certificate chain (a "
                + "token's key may instead take its chain from a PEM file)",
                failure(() -> CertificateChains.fromKeyStore(null, "entry 'k'")));
        Certificate foreign = new Certificate("X.999") {
            @Override public byte[] getEncoded() { return new byte[0]; }
            @Override public void verify(PublicKey key) {}
            @Override public void verify(PublicKey key, String sigProvider) {}
            @Override public String toString() { return "foreign"; }
            @Override public PublicKey getPublicKey() { return null; }
        };
        assertEquals("entry 'k' holds a X.999 certificate; only X.509 certificates can sign patches",
                failure(() -> CertificateChains.fromKeyStore(new Certificate[] {foreign}, "entry 'k'")));
        String outOfOrder = failure(() -> CertificateChains.fromKeyStore(new Certificate[] {PKI.leaf().certificate(),
                PKI.root().certificate()}, "entry 'k'"));
        assertTrue(outOfOrder.startsWith("the certificate chain of entry 'k' is out of order"), outOfOrder);
    }
}
