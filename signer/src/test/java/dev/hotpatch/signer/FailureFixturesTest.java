package dev.hotpatch.signer;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.signer.authenticode.AuthenticodeSignature;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureContainer;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.signer.timestamp.Timestamper;
import dev.hotpatch.testsupport.ExternalTools;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.hotpatch.signer.FailureKind.BAD_CHECKSUM;
import static dev.hotpatch.signer.FailureKind.BAD_DIGEST;
import static dev.hotpatch.signer.FailureKind.BAD_SIGNATURE;
import static dev.hotpatch.signer.FailureKind.BAD_TIMESTAMP;
import static dev.hotpatch.signer.FailureKind.CERTIFICATE_EXPIRED;
import static dev.hotpatch.signer.FailureKind.CERTIFICATE_NOT_YET_VALID;
import static dev.hotpatch.signer.FailureKind.MALFORMED_IMAGE;
import static dev.hotpatch.signer.FailureKind.MALFORMED_SIGNATURE;
import static dev.hotpatch.signer.FailureKind.MISSING_KEY_USAGE;
import static dev.hotpatch.signer.FailureKind.NOT_SIGNED;
import static dev.hotpatch.signer.FailureKind.UNTRUSTED_CHAIN;
import static dev.hotpatch.signer.FailureKind.WEAK_ALGORITHM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One fixture per failure kind (and per container rule), each expecting exactly the kinds it should cause. */
class FailureFixturesTest {
    private static final Fixtures PKI = Fixtures.get();
    private static final byte[] UNSIGNED = Samples.bytes(Samples.dll("x64"));

    private static byte[] signed() throws SignerException {
        return Signer.sign(UNSIGNED, PKI.rsa3072, SignOptions.defaults());
    }

    private static VerificationReport expect(byte[] image, VerifyOptions options, FailureKind... kinds) {
        VerificationReport report = Verifier.verify(image, options);
        assertEquals(Set.of(kinds), report.kinds(), report.describe());
        report.failures().forEach(f -> assertTrue(f.message().length() > 20 && !f.message().contains("\n"),
                "one sentence: " + f.message()));
        return report;
    }

    private static VerificationReport expect(byte[] image, FailureKind... kinds) {
        return expect(image, PKI.options(), kinds);
    }

    private static void assertMentions(VerificationReport report, String text) {
        assertTrue(report.describe().contains(text), "expected \"" + text + "\" in:\n" + report.describe());
    }

    /** Recomputes the CheckSum after tampering, as an attacker would, so that only the intended kind shows. */
    private static byte[] rechecksum(byte[] image) throws Exception {
        int at = PeLayout.read(image).checksumOffset();
        le(image).putInt(at, (int) PeChecksum.compute(image, at));
        return image;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void notSigned() {
        expect(UNSIGNED, NOT_SIGNED);
    }

    @Test
    void changedChecksumIsBadChecksum() throws Exception {
        byte[] image = signed();
        image[PeLayout.read(image).checksumOffset()] ^= 1;
        assertMentions(expect(image, BAD_CHECKSUM), "optional_header.checksum at 0x");
    }

    @Test
    void malformedImage() {
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 0x41);
        assertMentions(expect(junk, MALFORMED_IMAGE), "dos_header.magic at 0x0: expected 0x5a4d");
    }

    @Test
    void tamperedCodeIsBadDigest() throws Exception {
        byte[] image = signed();
        image[0x400 + 16] ^= 1; // inside .text
        assertMentions(expect(rechecksum(image), BAD_DIGEST), "the image was changed after it was signed");
    }

    @Test
    void wrongMessageDigestAttributeIsBadDigest() throws Exception {
        byte[] image = HandSigned.sign(UNSIGNED, PKI.rsa3072, new byte[32], null);
        assertMentions(expect(image, BAD_DIGEST), "messageDigest signed attribute");
    }

    @Test
    void alteredSignatureValueIsBadSignature() throws Exception {
        byte[] image = signed();
        PeLayout layout = PeLayout.read(image);
        byte[] value = AuthenticodeSignature.parse(SignatureContainer.read(image, layout).signature()).signature();
        int at = indexOf(image, value);
        image[at + value.length - 1] ^= 1;
        expect(rechecksum(image), BAD_SIGNATURE);
    }

    @Test
    void rsa2048SignerIsWeakAlgorithm() throws Exception {
        assertMentions(expect(HandSigned.sign(UNSIGNED, PKI.rsa2048, null, null), WEAK_ALGORITHM), "2048 bits");
    }

    @Test
    void wrongAnchorIsUntrustedChain() throws Exception {
        expect(signed(), VerifyOptions.pinned(List.of(PKI.otherRoot)), UNTRUSTED_CHAIN);
    }

    @Test
    void signerUnderAnotherRootIsUntrustedChain() throws Exception {
        expect(Signer.sign(UNSIGNED, PKI.underOtherRoot, SignOptions.defaults()), UNTRUSTED_CHAIN);
    }

    @Test
    void pinnedSignerCertificateIsEnoughOfAnAnchor() throws Exception {
        VerificationReport r = Verifier.verify(signed(), VerifyOptions.pinned(List.of(PKI.rsa3072.certificate())));
        assertTrue(r.trusted(), r.describe());
    }

    @Test
    void missingHotpatchUsageIsMissingKeyUsage() throws Exception {
        byte[] image = Signer.sign(UNSIGNED, PKI.withoutHotpatchUsage, SignOptions.defaults());
        assertMentions(expect(image, MISSING_KEY_USAGE), HotpatchOids.HOTPATCH_SIGNING.getId());
        expect(image, PKI.options().withRequireHotpatchUsage(false));
    }

    @Test
    void expiredSignerWithoutTimestampIsCertificateExpired() throws Exception {
        byte[] image = Signer.sign(UNSIGNED, PKI.expired, SignOptions.defaults());
        assertMentions(expect(image, CERTIFICATE_EXPIRED), "the verification clock");
    }

    @Test
    void expiredSignerWithTrustedTimestampVerifies() throws Exception {
        byte[] image = Signer.sign(UNSIGNED, PKI.expired, SignOptions.defaults()
                .withTimestamper(new TestTimestamper(PKI.tsa, Fixtures.WHILE_EXPIRED_LEAF_VALID, false)));
        VerificationReport r = expect(image);
        assertEquals(Fixtures.WHILE_EXPIRED_LEAF_VALID, r.details().orElseThrow().validationTime());
    }

    @Test
    void verificationClockBeforeIssueIsCertificateNotYetValid() throws Exception {
        Clock early = Clock.fixed(Instant.parse("2018-06-01T00:00:00Z"), ZoneOffset.UTC);
        expect(signed(), PKI.options().withClock(early), CERTIFICATE_NOT_YET_VALID);
    }

    @Test
    void timestampOverOtherDataIsBadTimestamp() throws Exception {
        byte[] image = HandSigned.sign(UNSIGNED, PKI.ecP256, null,
                new TestTimestamper(PKI.tsa, Instant.now().minusSeconds(60), true));
        assertMentions(expect(image, BAD_TIMESTAMP), "message imprint");
    }

    @Test
    void nestingBombInTheTimestampsTstInfoIsBadTimestampNotACrash() throws Exception {
        // The TSTInfo sits in an OCTET STRING, which the walk over the signature does not enter.
        Timestamper bombing = (signatureValue, digest) -> {
            byte[] real = new TestTimestamper(PKI.tsa, Instant.now().minusSeconds(60), false)
                    .timestamp(signatureValue, digest);
            SignedData sd = SignedData.getInstance(ContentInfo.getInstance(real).getContent());
            ContentInfo tstInfo = new ContentInfo(PKCSObjectIdentifiers.id_ct_TSTInfo,
                    new DEROctetString(FormatRulesTest.nestingBomb(100_000)));
            try {
                return new ContentInfo(CMSObjectIdentifiers.signedData, new SignedData(sd.getDigestAlgorithms(),
                        tstInfo, sd.getCertificates(), sd.getCRLs(), sd.getSignerInfos())).getEncoded("DER");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        byte[] image = HandSigned.sign(UNSIGNED, PKI.ecP256, null, bombing);
        assertMentions(expect(image, BAD_TIMESTAMP), "the time-stamp token's TSTInfo nests deeper than");
        SignerException e = org.junit.jupiter.api.Assertions.assertThrows(SignerException.class, () ->
                Signer.sign(UNSIGNED, PKI.ecP256, SignOptions.defaults().withTimestamper(bombing)));
        assertTrue(e.getMessage().contains("the time-stamp token's TSTInfo nests deeper than"), e.getMessage());
    }

    @Test
    void untrustedTimestampDoesNotRescueAnExpiredSigner() throws Exception {
        byte[] image = Signer.sign(UNSIGNED, PKI.expired, SignOptions.defaults()
                .withTimestamper(new TestTimestamper(PKI.tsaUnderOtherRoot, Fixtures.WHILE_EXPIRED_LEAF_VALID, false)));
        expect(image, BAD_TIMESTAMP, CERTIFICATE_EXPIRED);
    }

    @Test
    void signerRefusesATimestampOverOtherData() {
        SignerException e = org.junit.jupiter.api.Assertions.assertThrows(SignerException.class, () ->
                Signer.sign(UNSIGNED, PKI.ecP256, SignOptions.defaults()
                        .withTimestamper(new TestTimestamper(PKI.tsa, Instant.now(), true))));
        assertTrue(e.getMessage().contains("other data"), e.getMessage());
    }

    // --- malformed signature containers ---

    @Test
    void twoCertificatesAreMalformed() throws Exception {
        byte[] image = signed();
        PeLayout layout = PeLayout.read(image);
        int table = (int) layout.certificateTableOffset();
        int size = (int) layout.certificateTableSize();
        byte[] two = Arrays.copyOf(image, image.length + size);
        System.arraycopy(image, table, two, image.length, size);
        le(two).putInt(layout.certificateEntryOffset() + 4, size * 2);
        assertMentions(expect(rechecksum(two), MALFORMED_SIGNATURE), "holds 2 WIN_CERTIFICATE entries");
    }

    @Test
    void wrongRevisionIsMalformed() throws Exception {
        byte[] image = signed();
        le(image).putShort((int) PeLayout.read(image).certificateTableOffset() + 4, (short) 0x0100);
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "revision");
    }

    @Test
    void wrongCertificateTypeIsMalformed() throws Exception {
        byte[] image = signed();
        le(image).putShort((int) PeLayout.read(image).certificateTableOffset() + 6, (short) 1);
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "certificate_type");
    }

    @Test
    void entryLengthPastTheEndIsMalformed() throws Exception {
        byte[] image = signed();
        le(image).putInt((int) PeLayout.read(image).certificateTableOffset(), 0x7fff_0000);
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "win_certificate[0].len_entry");
    }

    @Test
    void tablePastTheEndOfTheFileIsMalformed() throws Exception {
        byte[] image = signed();
        PeLayout layout = PeLayout.read(image);
        le(image).putInt(layout.certificateEntryOffset() + 4, (int) layout.certificateTableSize() + 8);
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "expected a table inside the file");
    }

    @Test
    void trailingBytesAfterTheTableAreMalformed() throws Exception {
        byte[] image = Arrays.copyOf(signed(), signed().length + 16);
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "must be last in the file");
    }

    @Test
    void misalignedTableIsMalformed() throws Exception {
        byte[] image = signed();
        PeLayout layout = PeLayout.read(image);
        int table = (int) layout.certificateTableOffset();
        byte[] moved = new byte[image.length + 4];
        System.arraycopy(image, 0, moved, 0, table);
        System.arraycopy(image, table, moved, table + 4, image.length - table);
        le(moved).putInt(layout.certificateEntryOffset(), table + 4);
        VerificationReport r = expect(rechecksum(moved), MALFORMED_SIGNATURE, BAD_DIGEST);
        assertMentions(r, "expected an 8-byte aligned table");
    }

    @Test
    void unparsableCmsIsMalformed() throws Exception {
        byte[] image = signed();
        int table = (int) PeLayout.read(image).certificateTableOffset();
        image[table + 8] = 0x04; // an OCTET STRING where the ContentInfo SEQUENCE should start
        expect(rechecksum(image), MALFORMED_SIGNATURE);
    }

    @Test
    void indefiniteLengthCmsIsMalformed() throws Exception {
        byte[] image = signed();
        int table = (int) PeLayout.read(image).certificateTableOffset();
        image[table + 9] = (byte) 0x80;
        assertMentions(expect(rechecksum(image), MALFORMED_SIGNATURE), "indefinite length");
    }

    @Test
    void tableOverlappingTheLastSectionIsMalformed(@TempDir Path dir) throws Exception {
        // The last section's raw data claims 0x200 bytes past the end of the file: signed with osslsigncode (which
        // does not refuse), its certificate table would sit inside mapped section bytes, where unsigned bytes of the
        // signature could become code.
        Path tool = ExternalTools.require("osslsigncode", "osslsigncode");
        byte[] grown = UNSIGNED.clone();
        PeLayout layout = PeLayout.read(grown);
        int sectionTable = sectionTableOffset(grown);
        int last = lastRawSection(grown, sectionTable);
        ByteBuffer b = le(grown);
        int rawSize = b.getInt(last + 16);
        int rawPtr = b.getInt(last + 20);
        b.putInt(last + 16, (int) (grown.length - rawPtr + 0x200));
        assertTrue(rawPtr + rawSize <= grown.length && layout.fileLength() == grown.length);
        Path in = Files.write(dir.resolve("grown.dll"), grown);
        Path out = dir.resolve("grown-signed.dll");
        Path certs = TestPki.writePem(dir.resolve("chain.pem"), PKI.ecP256.chain().toArray());
        Path key = TestPki.writePem(dir.resolve("key.pem"), TestPki.pkcs8(PKI.ecP256.privateKey()));
        Process p = new ProcessBuilder(tool.toString(), "sign", "-certs", certs.toString(), "-key", key.toString(),
                "-h", "sha256", "-in", in.toString(), "-out", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertMentions(expect(Files.readAllBytes(out), MALFORMED_SIGNATURE), "mapped bytes are not covered");
    }

    /** File offset of the section table (after the optional header). */
    static int sectionTableOffset(byte[] image) {
        ByteBuffer b = le(image);
        int nt = b.getInt(0x3c);
        return nt + 24 + Short.toUnsignedInt(b.getShort(nt + 20));
    }

    /** The section header whose raw data ends last. */
    static int lastRawSection(byte[] image, int table) {
        ByteBuffer b = le(image);
        int count = Short.toUnsignedInt(b.getShort(b.getInt(0x3c) + 6));
        int best = -1;
        long end = -1;
        for (int i = 0; i < count; i++) {
            int h = table + 40 * i;
            long e = Integer.toUnsignedLong(b.getInt(h + 20)) + Integer.toUnsignedLong(b.getInt(h + 16));
            if (b.getInt(h + 16) != 0 && e > end) {
                end = e;
                best = h;
            }
        }
        return best;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
