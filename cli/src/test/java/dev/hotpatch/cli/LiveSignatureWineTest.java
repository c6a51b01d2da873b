package dev.hotpatch.cli;

import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's signature checks inside a process under Wine (x64), with release keys other than the development
 * key: RSA 3072 and ECDSA P-384 signers are accepted against their pinned root; a root that did not issue the
 * signer, and a signer without the hotpatch-signing key usage, are refused with exit 5 and nothing applied.
 */
class LiveSignatureWineTest {
    private static final Path BIN = RepoPaths.root().resolve("engine/bin/proof/x64");

    @TempDir
    static Path tmp;
    static Process target;
    static final List<String> lines = new CopyOnWriteArrayList<>();
    static long pid;
    static Path stop;
    static Path unsigned;

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.require("wine", "wine");
        unsigned = tmp.resolve("unsigned.hpi");
        LiveCommandWineTest.Run r = LiveCommandWineTest.run("create", BIN.resolve("live_v1.exe").toString(),
                BIN.resolve("live_v2.exe").toString(), "-o", unsigned.toString(), "--unsigned");
        assertEquals(0, r.exit(), r.out() + r.err());
        stop = tmp.resolve("stop");
        target = new ProcessBuilder("wine", BIN.resolve("live_v1.exe").toString(), "300", LiveEngine.windowsPath(stop))
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(target.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        for (int i = 0; i < 600 && pid == 0; i++) {
            for (String l : lines) {
                if (l.startsWith("pid ")) {
                    pid = Long.parseLong(l.substring(4).strip());
                }
            }
            Thread.sleep(50);
        }
        assertTrue(pid > 0, "no pid: " + lines);
    }

    @AfterAll
    static void end() throws Exception {
        if (target != null) {
            Files.writeString(stop, "stop");
            if (!target.waitFor(60, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
        }
    }

    /** The unsigned patch signed by `hotpatch sign` with a keystore holding leaf and root; returns the patch. */
    static Path signed(String name, TestPki.Issued leaf, TestPki.Issued root) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", leaf.privateKey(), "pw".toCharArray(), new Certificate[] {leaf.certificate(), root.certificate()});
        Path store = tmp.resolve(name + ".p12");
        try (var o = Files.newOutputStream(store)) {
            ks.store(o, "pw".toCharArray());
        }
        Path out = tmp.resolve(name + ".hpi");
        LiveCommandWineTest.Run r = LiveCommandWineTest.run("sign", unsigned.toString(), "-o", out.toString(),
                "--keystore", store.toString(), "--storepass", "pw");
        assertEquals(0, r.exit(), r.out() + r.err());
        return out;
    }

    static Path pem(String name, TestPki.Issued root) throws Exception {
        return TestPki.writePem(tmp.resolve(name + ".pem"), root.certificate());
    }

    static LiveCommandWineTest.Run apply(Path patch, Path anchor) {
        return LiveCommandWineTest.run("live", "apply", "--pid", Long.toString(pid), patch.toString(), "--trust",
                anchor.toString());
    }

    static void appliesAndRollsBack(Path patch, Path anchor) {
        LiveCommandWineTest.Run r = apply(patch, anchor);
        assertEquals(0, r.exit(), r.out() + r.err());
        r = LiveCommandWineTest.run("live", "rollback", "--pid", Long.toString(pid), patch.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    @Test
    void rsa3072AndP384SignersAreAccepted() throws Exception {
        TestPki.Issued root = TestPki.root("live rsa root");
        KeyPair rsa = TestPki.rsaKeyPair(3072);
        appliesAndRollsBack(signed("rsa", root.issueCodeSigning("live rsa signer", rsa), root), pem("rsa-root", root));
        TestPki.Issued root384 = TestPki.root("live p384 root", TestPki.ecKeyPair("secp384r1"));
        appliesAndRollsBack(signed("p384", root384.issueCodeSigning("live p384 signer", TestPki.ecKeyPair("secp384r1")),
                root384), pem("p384-root", root384));
    }

    @Test
    void anotherRootAndAMissingKeyUsageAreRefused() throws Exception {
        TestPki.Issued root = TestPki.root("live root");
        Path patch = signed("ok", root.issueCodeSigning("live signer"), root);
        LiveCommandWineTest.Run r = apply(patch, pem("other-root", TestPki.root("someone else's root")));
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("untrusted_chain"), r.err());

        // one byte of the signature value changed (the CheckSum made right again): bad_signature
        byte[] bytes = Files.readAllBytes(patch);
        var image = dev.hotpatch.pe.PeReader.read(bytes, "signed");
        int optional = (int) image.ntHeadersOffset() + 24;
        var le = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int table = le.getInt(optional + 112 + 8 * 4);
        // The PKCS#7 SignedData after WIN_CERTIFICATE's 8-byte header: SEQUENCE 0x30 0x82 with a 2-byte length. Its
        // last bytes are the signature value (dwLength may include padding to 8 bytes after it).
        assertEquals(0x30, bytes[table + 8] & 0xff);
        assertEquals(0x82, bytes[table + 9] & 0xff);
        int derEnd = table + 8 + 4 + ((bytes[table + 10] & 0xff) << 8 | (bytes[table + 11] & 0xff));
        bytes[derEnd - 3] ^= 0x01;
        le.putInt(optional + 64, (int) dev.hotpatch.pe.PeChecksum.compute(bytes, optional + 64));
        Path badSignature = tmp.resolve("bad-signature.hpi");
        Files.write(badSignature, bytes);
        r = apply(badSignature, pem("root", root));
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("bad_signature"), r.err());

        TestPki.Issued plain = root.issue("ordinary code signer", TestPki.ecKeyPair(), TestPki.Profile.CODE_SIGNING,
                TestPki.defaultValidity());
        // `hotpatch sign` refuses such a key for a patch image, so sign through the library, as an attacker with an
        // ordinary code-signing certificate could.
        Path codesign = tmp.resolve("codesign.hpi");
        Files.write(codesign, dev.hotpatch.signer.Signer.sign(Files.readAllBytes(unsigned),
                new dev.hotpatch.signer.keys.SigningKey(plain.privateKey(), java.util.List.of(plain.certificate(),
                        root.certificate()), java.util.Optional.empty()), dev.hotpatch.signer.SignOptions.defaults()));
        r = apply(codesign, tmp.resolve("root.pem"));
        assertEquals(5, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("missing_key_usage"), r.err());
        r = LiveCommandWineTest.run("live", "status", "--pid", Long.toString(pid));
        assertTrue(r.out().contains("no patch is applied") || r.out().contains("no longer applied"), r.out());
    }
}
