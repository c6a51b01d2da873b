package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.testpki.TestPki;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/** Writes keystores and PEM files for the key-loading tests. */
final class KeyFixtures {
    private KeyFixtures() {}

    /** A root, an intermediate and a hotpatch-signing leaf (ECDSA P-256); chain() is leaf first. */
    record Pki(TestPki.Issued root, TestPki.Issued intermediate, TestPki.Issued leaf) {
        static Pki create() {
            TestPki.Issued root = TestPki.root("Test Root");
            TestPki.Issued intermediate = root.issueIntermediate("Test Intermediate");
            return new Pki(root, intermediate, intermediate.issueCodeSigning("Test Signer"));
        }

        List<X509Certificate> chain() {
            return List.of(leaf.certificate(), intermediate.certificate(), root.certificate());
        }
    }

    /** One key entry per alias (key, chain), in a keystore of {@code type} ("PKCS12" or "JKS"). */
    static Path keyStore(Path file, String type, char[] storePassword, char[] keyPassword, String alias,
                         PrivateKey key, List<X509Certificate> chain) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        store.setKeyEntry(alias, key, keyPassword, chain.toArray(new Certificate[0]));
        return save(store, file, storePassword);
    }

    static Path save(KeyStore store, Path file, char[] storePassword) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, storePassword);
        Files.write(file, out.toByteArray());
        return file;
    }

    static Path pem(Path file, Object... objects) throws Exception {
        Files.writeString(file, TestPki.pem(objects), StandardCharsets.US_ASCII);
        return file;
    }
}
