package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;

import java.security.MessageDigest;

/**
 * The Authenticode digest of a PE image, by the linear rule: every byte from the start of the file up to the
 * certificate table, except the 4-byte CheckSum field and the 8-byte certificate-table directory entry. A file
 * without a certificate table is hashed whole and then as if zero-padded to a multiple of 8, because signing
 * appends that padding before the table.
 *
 * <p>Linear rather than the specification's walk over headers and sorted sections: jsign, osslsigncode and
 * WinVerifyTrust-compatible tools hash linearly, and the linear rule leaves no byte before the table unhashed
 * (the section walk skips gaps between sections, which could then carry unsigned code).
 */
public final class PeDigest {
    private PeDigest() {}

    /**
     * Hashes {@code [0, length)} of {@code file} without the CheckSum field and the certificate entry, then
     * zero padding up to a multiple of 8 when {@code length} is not one.
     *
     * @param length at most {@code file.length}; at least the end of the certificate directory entry
     */
    public static byte[] compute(byte[] file, int length, PeLayout layout, DigestAlgorithm algorithm) {
        return compute(file, length, layout, algorithm.newDigest());
    }

    /** As {@link #compute(byte[], int, PeLayout, DigestAlgorithm)}, with any digest (the verifier also recomputes
     *  SHA-1 digests, to report a tampered image besides a weak algorithm). */
    public static byte[] compute(byte[] file, int length, PeLayout layout, MessageDigest md) {
        int checksum = layout.checksumOffset();
        int entry = layout.certificateEntryOffset();
        if (length > file.length || entry + 8 > length || checksum + 4 > entry) {
            throw new IllegalArgumentException("hashed length " + length + " does not hold the headers of the layout");
        }
        md.update(file, 0, checksum);
        md.update(file, checksum + 4, entry - checksum - 4);
        md.update(file, entry + 8, length - entry - 8);
        int padding = (8 - length % 8) % 8;
        md.update(new byte[padding]);
        return md.digest();
    }
}
