package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.DerLimits;
import dev.hotpatch.signer.authenticode.PeDigest;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import dev.hotpatch.signer.authenticode.SpcIndirectData;
import org.bouncycastle.asn1.ASN1Primitive;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The digest rule, the content-octets quirk and the DER guard, each checked against known answers computed outside
 * this code base and against a plain restatement.
 */
class FormatRulesTest {
    private static final Fixtures PKI = Fixtures.get();
    private static final HexFormat HEX = HexFormat.of();

    /** SHA-256 of testdata/bin/x86/constant_changed/v1.dll itself: when the sample changes, recompute the answers. */
    private static final String X86_SAMPLE_FILE_SHA256 =
            "4e34c13ab5c175134918253e280bd3e1e04317585cb8c075d85616f8fa9b85a7";
    /**
     * The Authenticode SHA-256 of that sample (29,345 bytes, so hashed with 7 bytes of zero padding), computed
     * independently: "Calculated message digest" of {@code osslsigncode verify} after {@code osslsigncode sign -h
     * sha256}, and a python3 + pefile script of the linear rule in docs/authenticode.md; both agree.
     */
    private static final String X86_AUTHENTICODE_SHA256 =
            "cf3c5994eb247629694ceb499bfbfa94cb3c3944a94db72560f44bebf7306201";
    /** The same for the sample with the bytes 00 00 5a appended (osslsigncode and the python script agree). */
    private static final String X86_PLUS_00_00_5A_AUTHENTICODE_SHA256 =
            "7bf892c7c6b629f38045e628aabe73cf0069ce2b79db1ffa1bed7906bb20dac1";
    /**
     * SpcIndirectDataContent for {@link #X86_AUTHENTICODE_SHA256}, DER, as signtool writes it: SEQUENCE(104) {
     * SEQUENCE(51) { OID 1.3.6.1.4.1.311.2.1.15, SEQUENCE(37) { BIT STRING (empty), [0] { [2] { [0]
     * "&lt;&lt;&lt;Obsolete&gt;&gt;&gt;" as UTF-16BE } } } }, SEQUENCE(49) { SEQUENCE { OID sha256, NULL },
     * OCTET STRING(32) } }. Written from the structure by hand and read back with {@code openssl asn1parse}.
     */
    private static final String SPC_INDIRECT_DATA_SHA256 = "3068"
            + "3033" + "060a2b06010401823702010f"
            + "3025" + "030100" + "a020a21e801c003c003c003c004f00620073006f006c006500740065003e003e003e"
            + "3031" + "300d06096086480165030402010500" + "0420" + X86_AUTHENTICODE_SHA256;
    /** What {@code osslsigncode sign -h sha256} wrote for the same sample: it sets one SpcPeImageFlags bit. */
    private static final String OSSLSIGNCODE_SPC_INDIRECT_DATA = "3069"
            + "3034" + "060a2b06010401823702010f"
            + "3026" + "03020780" + "a020a21e801c003c003c003c004f00620073006f006c006500740065003e003e003e"
            + "3031" + "300d06096086480165030402010500" + "0420" + X86_AUTHENTICODE_SHA256;
    /** The PKCS#9 messageDigest osslsigncode signed for that content (from {@code osslsigncode verify}). */
    private static final String OSSLSIGNCODE_MESSAGE_DIGEST =
            "508214283e07ef2d9acc6a3a4dff2631bc9fc660626664cfa384cfb8d8d10e17";

    @Test
    void authenticodeDigestOfACommittedSampleIsTheKnownAnswer() throws Exception {
        byte[] image = Samples.bytes(Samples.dll("x86"));
        assertEquals(X86_SAMPLE_FILE_SHA256, HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(image)),
                "the sample changed; recompute the known answers below");
        assertEquals(X86_AUTHENTICODE_SHA256,
                HEX.formatHex(PeDigest.compute(image, image.length, PeLayout.read(image), DigestAlgorithm.SHA256)));
        byte[] signed = Signer.sign(image, PKI.ecP256, SignOptions.defaults());
        assertEquals(X86_AUTHENTICODE_SHA256, Verifier.verify(signed, PKI.options()).details().orElseThrow()
                .imageDigest(), "the verifier recomputes the known answer from the signed file");
    }

    @Test
    void digestSkipsChecksumAndDirectoryEntryAndPadsUnsignedFilesTo8() throws Exception {
        byte[] image = Samples.bytes(Samples.dll("x86"));
        byte[] odd = Arrays.copyOf(image, image.length + 3);
        odd[odd.length - 1] = 0x5a; // trailing data that does not end on 8 bytes
        PeLayout layout = PeLayout.read(odd);
        int c = layout.checksumOffset();
        int e = layout.certificateEntryOffset();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(odd, 0, c);
        md.update(odd, c + 4, e - c - 4);
        md.update(odd, e + 8, odd.length - e - 8);
        md.update(new byte[(8 - odd.length % 8) % 8]);
        byte[] expected = md.digest();
        assertEquals(X86_PLUS_00_00_5A_AUTHENTICODE_SHA256, HEX.formatHex(expected), "the restatement's known answer");

        assertArrayEquals(expected, PeDigest.compute(odd, odd.length, layout, DigestAlgorithm.SHA256));
        byte[] changedExcluded = odd.clone();
        changedExcluded[c] ^= 1;
        changedExcluded[e + 7] ^= 1;
        assertArrayEquals(expected, PeDigest.compute(changedExcluded, odd.length, layout, DigestAlgorithm.SHA256));
        byte[] signed = Signer.sign(odd, PKI.ecP256, SignOptions.defaults());
        assertEquals(Verifier.verify(signed, PKI.options()).details().orElseThrow().imageDigest(),
                java.util.HexFormat.of().formatHex(expected), "the signed file hashes like the padded unsigned one");
    }

    @Test
    void messageDigestCoversTheContentOctetsWithoutTheSequenceHeader() throws Exception {
        byte[] digest = new byte[32];
        byte[] der = SpcIndirectData.of(DigestAlgorithm.SHA256, digest).sequence().getEncoded("DER");
        byte[] octets = SpcIndirectData.of(DigestAlgorithm.SHA256, digest).contentOctets();
        assertEquals(0x30, der[0] & 0xFF);
        int header = (der[1] & 0x80) == 0 ? 2 : 2 + (der[1] & 0x7F);
        assertArrayEquals(Arrays.copyOfRange(der, header, der.length), octets);
        FailureFixturesTest.indexOf(der, "<<<Obsolete>>>".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));

        SpcIndirectData known = SpcIndirectData.of(DigestAlgorithm.SHA256, HEX.parseHex(X86_AUTHENTICODE_SHA256));
        assertEquals(SPC_INDIRECT_DATA_SHA256, HEX.formatHex(known.sequence().getEncoded("DER")));
        assertEquals(SPC_INDIRECT_DATA_SHA256.substring(4), HEX.formatHex(known.contentOctets()),
                "the content octets are the DER without its 2-byte SEQUENCE header");
        SpcIndirectData theirs = SpcIndirectData.parse(ASN1Primitive.fromByteArray(
                HEX.parseHex(OSSLSIGNCODE_SPC_INDIRECT_DATA)));
        assertEquals(OSSLSIGNCODE_SPC_INDIRECT_DATA.substring(4), HEX.formatHex(theirs.contentOctets()));
        assertEquals(OSSLSIGNCODE_MESSAGE_DIGEST, HEX.formatHex(DigestAlgorithm.SHA256.digest(theirs.contentOctets())),
                "osslsigncode's messageDigest covers the same octets");
        assertEquals(X86_AUTHENTICODE_SHA256, HEX.formatHex(theirs.imageDigest()));
    }

    /** {@code levels} SEQUENCEs, each the only content of the one before, with definite 3-byte lengths. */
    static byte[] nestingBomb(int levels) {
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        for (int i = 0; i < levels; i++) {
            int remaining = (levels - i - 1) * 5;
            deep.write(0x30);
            deep.write(0x83);
            deep.write(remaining >> 16);
            deep.write(remaining >> 8);
            deep.write(remaining);
        }
        return deep.toByteArray();
    }

    @Test
    void derGuardRejectsDeepNestingIndefiniteLengthsAndOverlongValues() {
        byte[] bomb = nestingBomb(100_000);
        SignatureFormatException e = assertThrows(SignatureFormatException.class,
                () -> DerLimits.check(bomb, 0, bomb.length, "the test value"));
        assertTrue(e.getMessage().contains("nests deeper than"), e.getMessage());
        assertThrows(SignatureFormatException.class,
                () -> DerLimits.check(new byte[] {0x30, (byte) 0x80, 0, 0}, 0, 4, "x"));
        assertThrows(SignatureFormatException.class,
                () -> DerLimits.check(new byte[] {0x30, 0x05, 0x02, 0x01, 0x00}, 0, 5, "x"));
        assertThrows(SignatureFormatException.class,
                () -> DerLimits.check(new byte[] {0x30, 0x03, 0x02, 0x02, 0x00}, 0, 5, "x"));
    }

    @Test
    void derGuardAcceptsOurSignaturesAndMeasuresThem() throws Exception {
        byte[] der = SpcIndirectData.of(DigestAlgorithm.SHA384, new byte[48]).sequence().getEncoded("DER");
        byte[] padded = Arrays.copyOf(der, der.length + 5);
        assertEquals(der.length, DerLimits.check(padded, 0, padded.length, "x"));
    }

    @Test
    void definiteLengthNestingBombInTheCertificateTableIsAFailureNotACrash() throws Exception {
        // The container reads only the outer length; the walk before parsing must still stop the bomb.
        byte[] image = Samples.bytes(Samples.dll("arm64"));
        byte[] bomb = nestingBomb(100_000);
        int table = (image.length + 7) & ~7;
        int size = (8 + bomb.length + 7) & ~7;
        byte[] bombed = Arrays.copyOf(image, table + size);
        ByteBuffer b = ByteBuffer.wrap(bombed).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(table, 8 + bomb.length);
        b.putShort(table + 4, (short) 0x200);
        b.putShort(table + 6, (short) 2);
        System.arraycopy(bomb, 0, bombed, table + 8, bomb.length);
        PeLayout layout = PeLayout.read(bombed);
        b.putInt(layout.certificateEntryOffset(), table);
        b.putInt(layout.certificateEntryOffset() + 4, size);
        VerificationReport r = Verifier.verify(bombed, PKI.options());
        assertTrue(r.has(FailureKind.MALFORMED_SIGNATURE) && r.describe().contains("nests deeper than")
                && !r.describe().contains("unexpected"), r.describe());
    }

    @Test
    void nestingBombInTheCertificateTableIsAFailureNotACrash() throws Exception {
        byte[] image = Samples.bytes(Samples.dll("arm64"));
        int table = (image.length + 7) & ~7;
        int size = 8 + 8 * 30_000;
        byte[] bombed = Arrays.copyOf(image, table + size);
        ByteBuffer b = ByteBuffer.wrap(bombed).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(table, size);
        b.putShort(table + 4, (short) 0x200);
        b.putShort(table + 6, (short) 2);
        for (int i = table + 8; i + 2 <= bombed.length; i += 2) {
            bombed[i] = 0x30;
            bombed[i + 1] = (byte) 0x80;
        }
        PeLayout layout = PeLayout.read(bombed);
        b.putInt(layout.certificateEntryOffset(), table);
        b.putInt(layout.certificateEntryOffset() + 4, size);
        VerificationReport r = Verifier.verify(bombed, PKI.options());
        assertTrue(r.has(FailureKind.MALFORMED_SIGNATURE) && !r.describe().contains("unexpected"), r.describe());
    }
}
