package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.DerLimits;
import dev.hotpatch.signer.authenticode.PeDigest;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import dev.hotpatch.signer.authenticode.SpcIndirectData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digest rule, the content-octets quirk and the DER guard, each checked against a plain restatement. */
class FormatRulesTest {
    private static final TestPki PKI = TestPki.get();

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
