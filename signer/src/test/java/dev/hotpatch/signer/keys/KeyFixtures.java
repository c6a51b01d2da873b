package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.testpki.TestPki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/** Writes keystores and the PEM forms TestPki.writePem does not, for the key-loading tests. */
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

    /** PKCS#8 "BEGIN PRIVATE KEY". */
    static Path pkcs8(Path file, PrivateKey key) throws Exception {
        return TestPki.writePem(file, TestPki.pkcs8(key));
    }

    /**
     * OpenSSL's traditional "BEGIN EC PRIVATE KEY" (RFC 5915) with the named curve, as {@code openssl ec} writes
     * it. Bouncy Castle's PEM writer leaves the curve out when the JDK's encoding does, which no reader accepts.
     */
    static Path traditionalEc(Path file, PrivateKey key) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        return TestPki.writePem(file, new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }
}
