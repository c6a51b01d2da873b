package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.AuthenticodeSignature;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureContainer;
import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export what to sign, sign it elsewhere (plain JCA, openssl), attach: the same structure as direct signing. */
class DetachedSigningTest {
    private static final Fixtures PKI = Fixtures.get();
    private static final byte[] UNSIGNED = Samples.bytes(Samples.dll("x86"));
    private static final SignOptions OPTIONS = SignOptions.defaults().withDigest(DigestAlgorithm.SHA384)
            .withProgramName("detached");

    private static byte[] jcaSign(SigningKey key, SigningRequest request) throws Exception {
        Signature s = Signature.getInstance(request.signatureAlgorithm());
        s.initSign(key.privateKey());
        s.update(request.signedAttributes());
        return s.sign();
    }

    private static AuthenticodeSignature parse(byte[] image) throws Exception {
        return AuthenticodeSignature.parse(SignatureContainer.read(image, PeLayout.read(image)).signature());
    }

    @Test
    void rsaDetachedSignatureEqualsDirectSignatureByteForByte() throws Exception {
        SigningRequest request = DetachedSigning.export(UNSIGNED, PKI.rsa3072.chain(), OPTIONS);
        byte[] attached = DetachedSigning.attach(UNSIGNED, request, jcaSign(PKI.rsa3072, request),
                PKI.rsa3072.chain(), Optional.empty());

        assertArrayEquals(Signer.sign(UNSIGNED, PKI.rsa3072, OPTIONS), attached);
        assertEquals("SHA384withRSA", request.signatureAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"p256", "p384"})
    void ecdsaDetachedSignatureVerifies(String keyName) throws Exception {
        SigningKey key = SignAndVerifyTest.key(keyName);
        SigningRequest request = DetachedSigning.export(UNSIGNED, key.chain(), OPTIONS);
        byte[] attached = DetachedSigning.attach(UNSIGNED, request, jcaSign(key, request), key.chain(),
                Optional.of(new TestTimestamper(PKI.tsa, java.time.Instant.now().minusSeconds(5)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS), false)));

        VerificationReport report = Verifier.verify(attached, PKI.options());
        assertTrue(report.trusted(), report.describe());
        assertTrue(report.details().orElseThrow().timestamp().isPresent());
        AuthenticodeSignature detached = parse(attached);
        AuthenticodeSignature direct = parse(Signer.sign(UNSIGNED, key, OPTIONS));
        assertArrayEquals(direct.signedAttributes(), detached.signedAttributes(), "same signed attributes");
        assertArrayEquals(direct.content().contentOctets(), detached.content().contentOctets(), "same content");
        assertEquals(direct.certificates(), detached.certificates());
        assertEquals(direct.signatureAlgorithm(), detached.signatureAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa3072", "p256"})
    void opensslSignsTheExportedBytes(String keyName, @TempDir Path dir) throws Exception {
        Path openssl = ExternalTools.require("openssl", "openssl");
        SigningKey key = SignAndVerifyTest.key(keyName);
        Path image = Files.write(dir.resolve("image.dll"), UNSIGNED);
        Path requestFile = dir.resolve("image.request");
        SigningRequest request = DetachedSigning.exportFile(image, key.chain(), OPTIONS, requestFile);
        Path keyPem = TestPki.writePem(dir.resolve("key.pem"), TestPki.pkcs8(key.privateKey()));
        Path signature = dir.resolve("signature.bin");
        List<String> command;
        if (keyName.startsWith("rsa")) {
            // The whole to-be-signed bytes, hashed by openssl: PKCS#1 v1.5 over SHA-384.
            Path tbs = dir.resolve("tbs.der");
            request.writeToBeSigned(tbs);
            command = List.of(openssl.toString(), "dgst", "-sha384", "-sign", keyPem.toString(), "-out",
                    signature.toString(), tbs.toString());
        } else {
            // Only the digest, as an HSM is given it: ECDSA over the pre-computed SHA-384.
            Path digest = Files.write(dir.resolve("tbs.sha384"), request.toBeSignedDigest());
            command = List.of(openssl.toString(), "pkeyutl", "-sign", "-inkey", keyPem.toString(), "-in",
                    digest.toString(), "-out", signature.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);

        Path out = dir.resolve("signed.dll");
        DetachedSigning.attachFile(image, requestFile, Files.readAllBytes(signature), key.chain(), Optional.empty(), out);

        VerificationReport report = Verifier.verifyFile(out, PKI.options());
        assertTrue(report.trusted(), report.describe());
        if (keyName.startsWith("rsa")) {
            assertArrayEquals(Signer.sign(UNSIGNED, key, OPTIONS), Files.readAllBytes(out));
        }
    }

    @Test
    void requestFileRoundTripsAndRejectsDamage(@TempDir Path dir) throws Exception {
        SigningRequest request = DetachedSigning.export(UNSIGNED, PKI.ecP256.chain(), OPTIONS);
        Path file = dir.resolve("r.request");
        request.write(file);

        SigningRequest read = SigningRequest.read(file);
        assertArrayEquals(request.signedAttributes(), read.signedAttributes());
        assertArrayEquals(request.imageDigest(), read.imageDigest());
        assertEquals(request.signatureAlgorithm(), read.signatureAlgorithm());

        String text = Files.readString(file);
        int at = text.indexOf("image-digest: ") + "image-digest: ".length();
        Files.writeString(file, text.substring(0, at) + (text.charAt(at) == '0' ? '1' : '0') + text.substring(at + 1));
        SigningRequest damaged = SigningRequest.read(file);
        SignerException e = assertThrows(SignerException.class, () -> DetachedSigning.attach(UNSIGNED, damaged,
                jcaSign(PKI.ecP256, damaged), PKI.ecP256.chain(), Optional.empty()));
        assertTrue(e.getMessage().contains("has changed since the signing request was exported"), e.getMessage());

        Files.writeString(file, text.replace("signed-attributes-digest: ", "signed-attributes-digest: 00"));
        SignerException e2 = assertThrows(SignerException.class, () -> SigningRequest.read(file));
        assertTrue(e2.getMessage().contains("is damaged"), e2.getMessage());
    }

    @Test
    void attachRefusesASignatureByAnotherKey() throws Exception {
        SigningRequest request = DetachedSigning.export(UNSIGNED, PKI.ecP256.chain(), OPTIONS);
        SignerException e = assertThrows(SignerException.class, () -> DetachedSigning.attach(UNSIGNED, request,
                jcaSign(PKI.withoutHotpatchUsage, request), PKI.ecP256.chain(), Optional.empty()));
        assertTrue(e.getMessage().contains("does not verify with the public key"), e.getMessage());
    }

    @Test
    void attachRefusesAChangedImageAndAnotherChain() throws Exception {
        SigningRequest request = DetachedSigning.export(UNSIGNED, PKI.ecP256.chain(), OPTIONS);
        byte[] signature = jcaSign(PKI.ecP256, request);
        byte[] changed = Arrays.copyOf(UNSIGNED, UNSIGNED.length);
        changed[0x400] ^= 1;
        assertThrows(SignerException.class, () ->
                DetachedSigning.attach(changed, request, signature, PKI.ecP256.chain(), Optional.empty()));
        assertThrows(SignerException.class, () ->
                DetachedSigning.attach(UNSIGNED, request, signature, PKI.ecP384.chain(), Optional.empty()));
    }
}
