package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PemKeyLoaderTest {
    private static final KeyFixtures.Pki PKI = KeyFixtures.Pki.create();

    @TempDir
    Path dir;

    private static SigningKey load(Path key, Path chain, String password) throws SignerException {
        return KeyLoader.load(new KeySpec.PemFiles(key, chain,
                Optional.ofNullable(password).map(String::toCharArray)));
    }

    private static String failure(Path key, Path chain, String password) {
        return assertThrows(SignerException.class, () -> load(key, chain, password)).getMessage();
    }

    /** The chain file in the order root, leaf, intermediate. */
    private Path shuffledChain() throws Exception {
        return TestPki.writePem(dir.resolve("chain.pem"), PKI.root().certificate(), PKI.leaf().certificate(),
                PKI.intermediate().certificate());
    }

    @Test
    void pkcs8KeyWithShuffledChainLoadsLeafFirst() throws Exception {
        Path key = TestPki.writePem(dir.resolve("key.pem"), TestPki.pkcs8(PKI.leaf().privateKey()));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
        SigningKey loaded = load(key, shuffledChain(), null);
        assertEquals(PKI.chain(), loaded.chain());
        assertEquals(PKI.leaf().certificate().getPublicKey().getAlgorithm(), loaded.privateKey().getAlgorithm());
    }

    @Test
    void traditionalRsaKeyLoads() throws Exception {
        KeyPair rsa = TestPki.rsaKeyPair(3072);
        TestPki.Issued leaf = PKI.root().issueCodeSigning("RSA Signer", rsa);
        Path key = TestPki.writePem(dir.resolve("rsa.pem"), rsa.getPrivate());
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        Path chain = TestPki.writePem(dir.resolve("chain.pem"), PKI.root().certificate(), leaf.certificate());
        assertEquals(List.of(leaf.certificate(), PKI.root().certificate()), load(key, chain, null).chain());
    }

    @Test
    void traditionalEcKeyLoads() throws Exception {
        Path key = KeyFixtures.traditionalEc(dir.resolve("ec.pem"), PKI.leaf().privateKey());
        assertTrue(Files.readString(key).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        assertEquals(PKI.chain(), load(key, shuffledChain(), null).chain());
    }

    @Test
    void encryptedPkcs8KeyLoadsWithItsPassword() throws Exception {
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword("pem-secret".toCharArray()).build();
        Path key = TestPki.writePem(dir.resolve("enc.pem"), new JcaPKCS8Generator(PKI.leaf().privateKey(), encryptor));
        assertTrue(Files.readString(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        Path chain = shuffledChain();
        assertEquals(PKI.chain(), load(key, chain, "pem-secret").chain());
        assertEquals("the password of the private key " + key + " is wrong (or the file is damaged); check it",
                failure(key, chain, "wrong"));
        assertEquals("the private key in " + key + " is encrypted; pass its password", failure(key, chain, null));
    }

    @Test
    void keysEncryptedByOpensslLoad() throws Exception {
        Path openssl = ExternalTools.require("openssl", "openssl");
        Path plain = TestPki.writePem(dir.resolve("plain.pem"), TestPki.pkcs8(PKI.leaf().privateKey()));
        Path pkcs8 = dir.resolve("openssl-pkcs8.pem");
        run(openssl.toString(), "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain.toString(),
                "-out", pkcs8.toString(), "-passout", "pass:openssl-secret");
        Path traditional = dir.resolve("openssl-traditional.pem");
        run(openssl.toString(), "ec", "-aes256", "-in", plain.toString(), "-out", traditional.toString(),
                "-passout", "pass:openssl-secret");
        assertTrue(Files.readString(traditional).contains("Proc-Type: 4,ENCRYPTED"));
        Path chain = shuffledChain();
        assertEquals(PKI.chain(), load(pkcs8, chain, "openssl-secret").chain());
        assertEquals(PKI.chain(), load(traditional, chain, "openssl-secret").chain());
        assertEquals("the password of the private key " + traditional + " is wrong (or the file is damaged); check "
                + "it", failure(traditional, chain, "wrong"));
    }

    @Test
    void certificateOfAnotherKeyIsRefused() throws Exception {
        Path key = KeyFixtures.pkcs8(dir.resolve("other.pem"), TestPki.ecKeyPair().getPrivate());
        Path chain = shuffledChain();
        assertEquals("the certificate CN=Test Signer,O=hotpatch tests of the key " + key + " with the chain " + chain
                + " does not match its private key; pass the certificate that was issued for this key",
                failure(key, chain, null));
    }

    @Test
    void chainWithAGapIsRefused() throws Exception {
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        Path chain = TestPki.writePem(dir.resolve("gap.pem"), PKI.leaf().certificate(), PKI.root().certificate());
        assertEquals("the certificate file " + chain + " does not hold one chain: 2 certificates issued none of the "
                + "others (CN=Test Signer,O=hotpatch tests; CN=Test Root,O=hotpatch tests); keep only the signer's "
                + "certificate and its issuers", failure(key, chain, null));
    }

    @Test
    void unrelatedExtraCertificateIsRefused() throws Exception {
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        TestPki.Issued stranger = TestPki.root("Stranger Root");
        Path chain = TestPki.writePem(dir.resolve("extra.pem"), PKI.leaf().certificate(),
                PKI.intermediate().certificate(), stranger.certificate());
        assertEquals("the certificate file " + chain + " does not hold one chain: 2 certificates issued none of the "
                + "others (CN=Test Signer,O=hotpatch tests; CN=Stranger Root,O=hotpatch tests); keep only the "
                + "signer's certificate and its issuers", failure(key, chain, null));
    }

    @Test
    void leafAloneIsAChain() throws Exception {
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        Path chain = TestPki.writePem(dir.resolve("leaf.pem"), PKI.leaf().certificate());
        assertEquals(List.of(PKI.leaf().certificate()), load(key, chain, null).chain());
    }

    @Test
    void unsupportedCurveIsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        generator.initialize(new ECGenParameterSpec("brainpoolP256r1"));
        KeyPair brainpool = generator.generateKeyPair();
        TestPki.Issued leaf = PKI.root().issueCodeSigning("Brainpool Signer", brainpool);
        Path key = TestPki.writePem(dir.resolve("bp.pem"), TestPki.pkcs8(brainpool.getPrivate()));
        Path chain = TestPki.writePem(dir.resolve("bp-chain.pem"), leaf.certificate());
        String message = failure(key, chain, null);
        assertEquals("the key of the key " + key + " with the chain " + chain + " is ECDSA on brainpoolP256r1; only "
                + "P-256 and P-384 are allowed", message);
    }

    @Test
    void filesWithoutKeyOrCertificateSaySo() throws Exception {
        Path key = KeyFixtures.pkcs8(dir.resolve("key.pem"), PKI.leaf().privateKey());
        Path chain = shuffledChain();
        assertEquals("the private key file " + chain + " holds 0 private keys; pass a PEM file with exactly one "
                + "(BEGIN PRIVATE KEY, BEGIN ENCRYPTED PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)",
                failure(chain, chain, null));
        assertEquals("the certificate file " + key + " holds no PEM certificate (BEGIN CERTIFICATE); pass the "
                + "signer's certificate and its issuers in PEM or DER", failure(key, key, null));
        Path missing = dir.resolve("missing.pem");
        assertEquals("the private key file " + missing + " does not exist; check the path",
                failure(missing, chain, null));
        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        String message = failure(key, broken, null);
        assertTrue(message.startsWith("the certificate file " + broken + " is not valid PEM ("), message);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
