package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.HotpatchOids;
import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevelopmentKeyTest {
    @TempDir
    Path temp;

    @Test
    void firstUseCreatesAPrivateKeyStoreAndTheAnchor() throws Exception {
        Path configDir = temp.resolve("config").resolve("hotpatch");
        DevelopmentKey key = DevelopmentKey.loadOrCreate(configDir);

        assertTrue(key.created());
        assertEquals(configDir.resolve("development-signing.p12"), key.keyStore());
        assertEquals(configDir.resolve("development-root.pem"), key.anchorFile());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(configDir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.keyStore())));
        assertEquals(List.of(key.anchor()), CertificateChains.readAnchors(List.of(key.anchorFile())));
        assertEquals(2, key.key().chain().size());
        assertEquals(key.anchor(), key.key().chain().get(1));
        try (var files = Files.list(configDir)) {
            assertEquals(Set.of("development-signing.p12", "development-root.pem"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "no temporary files left");
        }
    }

    @Test
    void leafIsAHotpatchSigningCertificateThatSaysDevelopmentOnly() throws Exception {
        DevelopmentKey key = DevelopmentKey.loadOrCreate(temp);
        X509Certificate leaf = key.key().certificate();

        assertTrue(leaf.getSubjectX500Principal().getName().contains("DEVELOPMENT ONLY"));
        assertTrue(key.anchor().getSubjectX500Principal().getName().contains("DEVELOPMENT ONLY"));
        assertEquals(List.of("1.3.6.1.5.5.7.3.3", HotpatchOids.HOTPATCH_SIGNING.getId()), leaf.getExtendedKeyUsage());
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        assertFalse(leaf.getKeyUsage()[5], "not keyCertSign");
        assertEquals(-1, leaf.getBasicConstraints(), "not a CA");
        assertEquals(256, ((ECPublicKey) leaf.getPublicKey()).getParams().getOrder().bitLength());
        Duration validity = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        assertTrue(validity.compareTo(Duration.ofDays(2 * 365)) > 0 && validity.compareTo(Duration.ofDays(6 * 365)) < 0,
                "a few years: " + validity);
        assertTrue(leaf.getNotBefore().toInstant().isBefore(Instant.now()));

        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(key.anchor(), null)));
        pkix.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(leaf)), pkix);

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key.key().privateKey());
        signer.update(new byte[]{1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf);
        verifier.update(new byte[]{1, 2, 3});
        assertTrue(verifier.verify(signer.sign()));

        // Independently of any signature: the certificate's public point is the private scalar times P-256's G.
        BigInteger scalar = ((ECPrivateKey) key.key().privateKey()).getS();
        ECPoint derived = ECNamedCurveTable.getByName("P-256").getG().multiply(scalar).normalize();
        java.security.spec.ECPoint certified = ((ECPublicKey) leaf.getPublicKey()).getW();
        assertEquals(certified.getAffineX(), derived.getAffineXCoord().toBigInteger());
        assertEquals(certified.getAffineY(), derived.getAffineYCoord().toBigInteger());
    }

    @Test
    void laterUseLoadsTheSameKey() throws Exception {
        DevelopmentKey first = DevelopmentKey.loadOrCreate(temp);
        DevelopmentKey second = DevelopmentKey.loadOrCreate(temp);
        assertFalse(second.created());
        assertEquals(first.key().chain(), second.key().chain());
        assertArrayEquals(first.key().privateKey().getEncoded(), second.key().privateKey().getEncoded());
        assertEquals(first.key().chain(), KeyLoader.load(new KeySpec.Development(temp)).chain());
    }

    @Test
    void concurrentFirstUseCreatesExactlyOneKey() throws Exception {
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<DevelopmentKey>> tasks = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                tasks.add(() -> {
                    start.await();
                    return DevelopmentKey.loadOrCreate(temp);
                });
            }
            List<DevelopmentKey> keys = new ArrayList<>();
            for (Future<DevelopmentKey> f : pool.invokeAll(tasks)) {
                keys.add(f.get());
            }
            assertEquals(1, keys.stream().filter(DevelopmentKey::created).count());
            assertEquals(1, keys.stream().map(k -> k.key().certificate()).distinct().count());
            assertEquals(keys.get(0).key().chain(), DevelopmentKey.loadOrCreate(temp).key().chain());
            try (var files = Files.list(temp)) {
                assertEquals(2, files.count(), "no temporary files left");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingAnchorIsWrittenAgainAndAForeignOneIsRefused() throws Exception {
        DevelopmentKey key = DevelopmentKey.loadOrCreate(temp);
        Files.delete(key.anchorFile());
        assertEquals(key.anchor(), DevelopmentKey.loadOrCreate(temp).anchor());
        assertEquals(List.of(key.anchor()), CertificateChains.readAnchors(List.of(key.anchorFile())));

        TestPki.writePem(key.anchorFile(), TestPki.root("Other Root").certificate());
        SignerException e = assertThrows(SignerException.class, () -> DevelopmentKey.loadOrCreate(temp));
        assertEquals("the development root " + key.anchorFile() + " is not the root of " + key.keyStore()
                + "; delete " + key.anchorFile() + " to write it again", e.getMessage());
    }

    @Test
    void newKeyReplacesTheAnchorOfAnEarlierKey() throws Exception {
        DevelopmentKey old = DevelopmentKey.loadOrCreate(temp);
        Files.delete(old.keyStore());
        DevelopmentKey fresh = DevelopmentKey.loadOrCreate(temp);
        assertTrue(fresh.created());
        assertEquals(List.of(fresh.anchor()), CertificateChains.readAnchors(List.of(fresh.anchorFile())));
        assertFalse(fresh.anchor().equals(old.anchor()));
    }

    @Test
    void damagedKeyStoreSaysHowToStartOver() throws Exception {
        DevelopmentKey key = DevelopmentKey.loadOrCreate(temp);
        Files.write(key.keyStore(), new byte[]{0x30, 0x03, 0x02, 0x01});
        SignerException e = assertThrows(SignerException.class, () -> DevelopmentKey.loadOrCreate(temp));
        assertTrue(e.getMessage().startsWith("the development key is unusable: the PKCS12 keystore "
                + key.keyStore() + " cannot be read ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("(delete " + key.keyStore() + " to create a new development key)"),
                e.getMessage());
    }

    @Test
    void opensslOpensTheKeyStoreWithTheDocumentedPassword() throws Exception {
        Path openssl = ExternalTools.require("openssl", "openssl");
        DevelopmentKey key = DevelopmentKey.loadOrCreate(temp);
        Process p = new ProcessBuilder(openssl.toString(), "pkcs12", "-in", key.keyStore().toString(), "-nokeys",
                "-clcerts", "-passin", "pass:" + DevelopmentKey.KEYSTORE_PASSWORD).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("DEVELOPMENT ONLY"), output);
    }

    @Test
    void defaultConfigDirFollowsXdg() {
        Path home = Path.of("/home/dev");
        assertEquals(Path.of("/xdg/config/hotpatch"),
                DevelopmentKey.defaultConfigDir(Map.of("XDG_CONFIG_HOME", "/xdg/config"), home));
        assertEquals(Path.of("/home/dev/.config/hotpatch"), DevelopmentKey.defaultConfigDir(Map.of(), home));
        assertEquals(Path.of("/home/dev/.config/hotpatch"),
                DevelopmentKey.defaultConfigDir(Map.of("XDG_CONFIG_HOME", "relative/dir"), home),
                "the XDG spec says to ignore a relative path");
        assertEquals(Path.of("/home/dev/.config/hotpatch"),
                DevelopmentKey.defaultConfigDir(Map.of("XDG_CONFIG_HOME", ""), home));
    }
}
