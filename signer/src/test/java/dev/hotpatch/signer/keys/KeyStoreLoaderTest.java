package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyStoreLoaderTest {
    private static final char[] STORE_PASSWORD = "store-secret".toCharArray();
    private static final KeyFixtures.Pki PKI = KeyFixtures.Pki.create();

    @TempDir
    Path dir;

    private static SigningKey load(Path file, String alias, char[] keyPassword) throws SignerException {
        return KeyLoader.load(new KeySpec.KeyStoreFile(file, STORE_PASSWORD, Optional.ofNullable(alias),
                Optional.ofNullable(keyPassword)));
    }

    private static String failure(Path file, String alias, char[] storePassword, char[] keyPassword) {
        return assertThrows(SignerException.class, () -> KeyLoader.load(new KeySpec.KeyStoreFile(file,
                storePassword, Optional.ofNullable(alias), Optional.ofNullable(keyPassword)))).getMessage();
    }

    private Path p12(String alias) throws Exception {
        return KeyFixtures.keyStore(dir.resolve("signer.p12"), "PKCS12", STORE_PASSWORD, STORE_PASSWORD, alias,
                PKI.leaf().privateKey(), PKI.chain());
    }

    @Test
    void pkcs12WithOneKeyEntryLoadsWithoutAlias() throws Exception {
        SigningKey key = load(p12("release"), null, null);
        assertEquals(PKI.chain(), key.chain());
        assertEquals(PKI.leaf().privateKey(), key.privateKey());
        assertTrue(key.provider().isEmpty());
    }

    @Test
    void jksWithOwnKeyPasswordAndRsa3072Loads() throws Exception {
        KeyPair rsa = TestPki.rsaKeyPair(3072);
        TestPki.Issued leaf = PKI.intermediate().issueCodeSigning("RSA Signer", rsa);
        List<java.security.cert.X509Certificate> chain = List.of(leaf.certificate(), PKI.intermediate().certificate());
        Path jks = KeyFixtures.keyStore(dir.resolve("signer.jks"), "JKS", STORE_PASSWORD, "key-secret".toCharArray(),
                "rsa", rsa.getPrivate(), chain);
        SigningKey key = load(jks, "rsa", "key-secret".toCharArray());
        assertEquals(chain, key.chain());
        assertEquals("RSA", key.privateKey().getAlgorithm());
    }

    @Test
    void wrongStorePasswordSaysSo() throws Exception {
        Path p12 = p12("release");
        assertEquals("the store password of the keystore " + p12 + " is wrong; check it",
                failure(p12, null, "nope".toCharArray(), null));
        Path jks = KeyFixtures.keyStore(dir.resolve("s.jks"), "JKS", STORE_PASSWORD, STORE_PASSWORD, "k",
                PKI.leaf().privateKey(), PKI.chain());
        assertEquals("the store password of the keystore " + jks + " is wrong; check it",
                failure(jks, null, "nope".toCharArray(), null));
    }

    @Test
    void wrongKeyPasswordSaysSo() throws Exception {
        Path jks = KeyFixtures.keyStore(dir.resolve("s.jks"), "JKS", STORE_PASSWORD, "key-secret".toCharArray(),
                "k", PKI.leaf().privateKey(), PKI.chain());
        assertEquals("the key password of alias 'k' in " + jks + " is wrong; pass the key's own password if it "
                + "differs from the store password", failure(jks, "k", STORE_PASSWORD, null));
    }

    @Test
    void unknownAliasListsTheEntries() throws Exception {
        Path p12 = p12("release");
        assertEquals("the keystore " + p12 + " has no entry 'relase' (its entries: release); pass one of those "
                + "aliases", failure(p12, "relase", STORE_PASSWORD, null));
    }

    @Test
    void certificateOnlyEntryHasNoPrivateKey() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("signer", PKI.leaf().privateKey(), STORE_PASSWORD,
                PKI.chain().toArray(new Certificate[0]));
        store.setCertificateEntry("root", PKI.root().certificate());
        Path p12 = KeyFixtures.save(store, dir.resolve("mixed.p12"), STORE_PASSWORD);
        assertEquals("the entry 'root' in " + p12 + " holds a certificate but no private key; pass the alias of a "
                + "key entry (key entries: signer)", failure(p12, "root", STORE_PASSWORD, null));
        assertEquals(PKI.chain(), load(p12, null, null).chain(), "the only key entry is chosen without alias");
    }

    @Test
    void severalKeysNeedAnAlias() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (String alias : List.of("old", "new")) {
            store.setKeyEntry(alias, PKI.leaf().privateKey(), STORE_PASSWORD,
                    PKI.chain().toArray(new Certificate[0]));
        }
        Path p12 = KeyFixtures.save(store, dir.resolve("two.p12"), STORE_PASSWORD);
        assertEquals("the keystore " + p12 + " holds 2 key entries (new, old); pass the alias of the one to sign "
                + "with", failure(p12, null, STORE_PASSWORD, null));
    }

    @Test
    void keystoreWithoutKeysSaysSo() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("root", PKI.root().certificate());
        Path p12 = KeyFixtures.save(store, dir.resolve("certs.p12"), STORE_PASSWORD);
        assertEquals("the keystore " + p12 + " holds no private key entry; import the signing key and its "
                + "certificate chain into it", failure(p12, null, STORE_PASSWORD, null));
    }

    @Test
    void certificateOfAnotherKeyIsRefused() throws Exception {
        Path p12 = KeyFixtures.keyStore(dir.resolve("mismatch.p12"), "PKCS12", STORE_PASSWORD, STORE_PASSWORD,
                "k", TestPki.ecKeyPair().getPrivate(), PKI.chain());
        assertEquals("the certificate CN=Test Signer,O=hotpatch tests of alias 'k' in " + p12 + " does not match "
                + "its private key; pass the certificate that was issued for this key",
                failure(p12, null, STORE_PASSWORD, null));
    }

    @Test
    void chainOutOfOrderIsRefused() throws Exception {
        // JKS stores the chain as given (PKCS#12 in the JDK refuses to write one out of order).
        Path jks = KeyFixtures.keyStore(dir.resolve("order.jks"), "JKS", STORE_PASSWORD, STORE_PASSWORD, "k",
                PKI.leaf().privateKey(), List.of(PKI.leaf().certificate(), PKI.root().certificate(),
                        PKI.intermediate().certificate()));
        assertEquals("the certificate chain of alias 'k' in " + jks + " is out of order: certificate 2 (CN=Test "
                + "Root,O=hotpatch tests) did not issue certificate 1 (CN=Test Signer,O=hotpatch tests); store the "
                + "chain leaf first, each issuer after the certificate it issued",
                failure(jks, null, STORE_PASSWORD, null));
    }

    @Test
    void weakRsaKeyIsRefused() throws Exception {
        KeyPair rsa = TestPki.rsaKeyPair(2048);
        TestPki.Issued leaf = PKI.root().issueCodeSigning("Weak Signer", rsa);
        Path p12 = KeyFixtures.keyStore(dir.resolve("weak.p12"), "PKCS12", STORE_PASSWORD, STORE_PASSWORD, "k",
                rsa.getPrivate(), List.of(leaf.certificate(), PKI.root().certificate()));
        assertEquals("the key of alias 'k' in " + p12 + " is RSA of 2048 bits, fewer than the 3072 required; use a "
                + "longer RSA key or ECDSA P-256/P-384", failure(p12, null, STORE_PASSWORD, null));
    }

    @Test
    void missingOrForeignFilesSaySo() throws Exception {
        Path missing = dir.resolve("missing.p12");
        assertEquals("the keystore " + missing + " does not exist; check the path",
                failure(missing, null, STORE_PASSWORD, null));
        Path pem = TestPki.writePem(dir.resolve("chain.pem"), PKI.leaf().certificate());
        assertEquals("the file " + pem + " is neither a PKCS#12 nor a JKS keystore; pass a .p12/.pfx or .jks file, "
                + "or use the PEM options for PEM files", failure(pem, null, STORE_PASSWORD, null));
        Path truncated = dir.resolve("truncated.p12");
        byte[] whole = Files.readAllBytes(p12("k"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        String message = failure(truncated, null, STORE_PASSWORD, null);
        assertTrue(message.startsWith("the PKCS12 keystore " + truncated + " cannot be read ("), message);
        assertTrue(message.endsWith("); check that the file is complete"), message);
    }

    @Test
    void unreadableFileSaysSo() throws Exception {
        // A directory cannot be read as a file even by root, for whom a chmod 000 file stays readable.
        Path directory = Files.createDirectory(dir.resolve("signer.p12"));
        String message = failure(directory, null, STORE_PASSWORD, null);
        assertTrue(message.startsWith("cannot read the keystore " + directory + " ("), message);
        assertTrue(message.endsWith("); check that the file exists and is readable"), message);
    }
}
