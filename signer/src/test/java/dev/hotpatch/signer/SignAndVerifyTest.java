package dev.hotpatch.signer;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.keys.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing then verifying round trips, for every machine, key type and digest. */
class SignAndVerifyTest {
    private static final Fixtures PKI = Fixtures.get();

    static Stream<Arguments> machinesKeysDigests() {
        return Stream.of("x86", "x64", "arm64").flatMap(m -> Stream.of("rsa3072", "p256", "p384").flatMap(k ->
                Stream.of(DigestAlgorithm.values()).map(d -> Arguments.of(m, k, d))));
    }

    static SigningKey key(String name) {
        return switch (name) {
            case "rsa3072" -> PKI.rsa3072;
            case "p256" -> PKI.ecP256;
            case "p384" -> PKI.ecP384;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("machinesKeysDigests")
    void signedSampleVerifies(String machine, String keyName, DigestAlgorithm digest) throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll(machine));
        byte[] signed = Signer.sign(unsigned, key(keyName), SignOptions.defaults().withDigest(digest)
                .withProgramName("hotpatch test").withUrl("https://example.invalid/hotpatch"));

        VerificationReport report = Verifier.verify(signed, PKI.options());

        assertTrue(report.trusted(), report.describe());
        SignatureDetails d = report.details().orElseThrow();
        assertEquals(digest.jcaName(), d.digestAlgorithm());
        assertEquals(key(keyName).certificate().getSubjectX500Principal().getName(), d.signerSubject());
        assertEquals(3, d.chain().size(), "signer, intermediate, pinned root: " + d.chain());
        int padded = (unsigned.length + 7) & ~7;
        assertArrayEquals(Arrays.copyOf(unsigned, padded), layoutFreeCopy(signed, padded, unsigned),
                "signing only appends the table and rewrites CheckSum and directory entry 4");
    }

    @Test
    void checksumAndDirectoryEntryDescribeTheAppendedTable() throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll("x64"));
        byte[] signed = Signer.sign(unsigned, PKI.ecP256, SignOptions.defaults());
        PeLayout layout = PeLayout.read(signed);
        ByteBuffer b = ByteBuffer.wrap(signed).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((unsigned.length + 7) & ~7, layout.certificateTableOffset());
        assertEquals(signed.length, layout.certificateTableOffset() + layout.certificateTableSize());
        assertEquals(0, layout.certificateTableSize() % 8);
        assertEquals(PeChecksum.compute(signed, layout.checksumOffset()),
                Integer.toUnsignedLong(b.getInt(layout.checksumOffset())));
        assertEquals(0x0200, b.getShort((int) layout.certificateTableOffset() + 4));
        assertEquals(2, b.getShort((int) layout.certificateTableOffset() + 6));
    }

    @Test
    void resigningReplacesTheSignature() throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll("arm64"));
        byte[] first = Signer.sign(unsigned, PKI.ecP384, SignOptions.defaults().withDigest(DigestAlgorithm.SHA384));
        byte[] again = Signer.sign(first, PKI.rsa3072, SignOptions.defaults());

        assertArrayEquals(Signer.sign(unsigned, PKI.rsa3072, SignOptions.defaults()), again,
                "re-signing a signed image gives the same bytes as signing the unsigned one");
        VerificationReport report = Verifier.verify(again, PKI.options());
        assertTrue(report.trusted(), report.describe());
        assertEquals(PKI.rsa3072.certificate().getSubjectX500Principal().getName(),
                report.details().orElseThrow().signerSubject());
    }

    @Test
    void signaturesAreReproducibleWithoutSigningTime() throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll("x86"));
        for (SigningKey k : new SigningKey[] {PKI.rsa3072, PKI.ecP256}) {
            assertArrayEquals(Signer.sign(unsigned, k, SignOptions.defaults()),
                    Signer.sign(unsigned, k, SignOptions.defaults()), "RSA and RFC 6979 ECDSA are deterministic");
        }
    }

    @Test
    void keysSignThroughTheirProviderWhenOneIsGiven() throws Exception {
        java.security.Provider sunEc = java.security.Security.getProvider("SunEC");
        SigningKey viaProvider = new SigningKey(PKI.ecP256.privateKey(), PKI.ecP256.chain(),
                java.util.Optional.of(sunEc));
        byte[] unsigned = Samples.bytes(Samples.dll("arm64"));
        byte[] a = Signer.sign(unsigned, viaProvider, SignOptions.defaults());
        byte[] b = Signer.sign(unsigned, viaProvider, SignOptions.defaults());

        assertTrue(Verifier.verify(a, PKI.options()).trusted());
        assertTrue(Verifier.verify(b, PKI.options()).trusted());
        assertTrue(!Arrays.equals(a, b), "the provider's ECDSA is randomized, unlike the deterministic default");
    }

    @Test
    void signingTimeAndTimestampAreAccepted() throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll("x64"));
        Instant stamped = Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        byte[] signed = Signer.sign(unsigned, PKI.ecP256, SignOptions.defaults()
                .withSigningTime(stamped.minusSeconds(60))
                .withTimestamper(new TestTimestamper(PKI.tsa, stamped, false)));

        VerificationReport report = Verifier.verify(signed, PKI.options());

        assertTrue(report.trusted(), report.describe());
        assertEquals(stamped, report.details().orElseThrow().timestamp().orElseThrow());
        assertEquals(stamped, report.details().orElseThrow().validationTime());
        assertEquals("CN=Hotpatch Test TSA,O=hotpatch tests",
                report.details().orElseThrow().timestampAuthority().orElseThrow());
    }

    @Test
    void signFileWritesTheSignedImage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path in = Samples.dll("x64");
        Path out = dir.resolve("signed.dll");
        Signer.signFile(in, out, PKI.ecP256, SignOptions.defaults());
        assertTrue(Verifier.verifyFile(out, PKI.options()).trusted());
        assertArrayEquals(Signer.sign(Files.readAllBytes(in), PKI.ecP256, SignOptions.defaults()), Files.readAllBytes(out));
    }

    @Test
    void refusesRsaKeysUnder3072Bits() {
        SignerException e = assertThrows(SignerException.class, () ->
                Signer.sign(Samples.bytes(Samples.dll("x64")), PKI.rsa2048, SignOptions.defaults()));
        assertTrue(e.getMessage().contains("2048 bits"), e.getMessage());
    }

    @Test
    void refusesSha1AndMd5ByName() {
        assertThrows(SignerException.class, () -> DigestAlgorithm.named("sha1"));
        assertThrows(SignerException.class, () -> DigestAlgorithm.named("MD5"));
        assertDoesNotThrowSha256();
    }

    private static void assertDoesNotThrowSha256() {
        try {
            assertEquals(DigestAlgorithm.SHA256, DigestAlgorithm.named("sha-256"));
        } catch (SignerException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesFilesThatAreNotPeImages() {
        SignerException e = assertThrows(SignerException.class, () ->
                Signer.sign("MZ but not much else, certainly no PE header here at all, just text....".repeat(2)
                        .getBytes(), PKI.ecP256, SignOptions.defaults()));
        assertTrue(e.getMessage().startsWith("the image is not a PE image that can be signed: "), e.getMessage());
    }

    @Test
    void refusesTruncatedImages() throws Exception {
        byte[] unsigned = Samples.bytes(Samples.dll("x64"));
        int cut = (int) PeLayout.read(unsigned).endOfMappedData() - 16;
        SignerException e = assertThrows(SignerException.class, () ->
                Signer.sign(Arrays.copyOf(unsigned, cut), PKI.ecP256, SignOptions.defaults()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void refusesImagesWhoseCertificateTablePointsOutsideTheFile() throws Exception {
        byte[] signed = Signer.sign(Samples.bytes(Samples.dll("x64")), PKI.ecP256, SignOptions.defaults());
        PeLayout layout = PeLayout.read(signed);
        long table = layout.certificateTableOffset();
        long size = layout.certificateTableSize() + 8;
        ByteBuffer.wrap(signed).order(ByteOrder.LITTLE_ENDIAN).putInt(layout.certificateEntryOffset() + 4, (int) size);
        String where = "data_directory[certificate] at 0x" + Integer.toHexString(layout.certificateEntryOffset())
                + ": expected a table inside the file (0x0..0x" + Integer.toHexString(signed.length) + "), found 0x"
                + Long.toHexString(table) + "..0x" + Long.toHexString(table + size);

        SignerException e = assertThrows(SignerException.class, () ->
                Signer.sign(signed, PKI.ecP256, SignOptions.defaults()));
        assertEquals("the image has a certificate table entry that points outside the file (" + where
                + "); repair or rebuild the image before signing it", e.getMessage());
        VerificationReport report = Verifier.verify(signed, PKI.options());
        assertTrue(report.describe().contains(where), "verification applies the same bounds check: "
                + report.describe());
    }

    /** The signed image's first {@code padded} bytes with CheckSum and directory entry 4 restored from the original. */
    private static byte[] layoutFreeCopy(byte[] signed, int padded, byte[] unsigned) throws Exception {
        PeLayout layout = PeLayout.read(unsigned);
        byte[] out = Arrays.copyOf(signed, padded);
        System.arraycopy(unsigned, layout.checksumOffset(), out, layout.checksumOffset(), 4);
        System.arraycopy(unsigned, layout.certificateEntryOffset(), out, layout.certificateEntryOffset(), 8);
        return out;
    }
}
