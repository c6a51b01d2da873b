package dev.hotpatch.signer;

import java.util.Locale;

/**
 * Why a signature is not trusted. The lower_snake {@link #id()} is stable: reports and JSON use it, so a kind is
 * never renamed, only added.
 */
public enum FailureKind {
    /** The image has no certificate table. */
    NOT_SIGNED,
    /**
     * The optional header's CheckSum is not the file's checksum. Authenticode leaves the field out of the digest,
     * but signing tools (ours, signtool, osslsigncode) write it last, so a wrong value means a later change.
     */
    BAD_CHECKSUM,
    /** The PE headers Authenticode needs (CheckSum, data directory 4) cannot be read. */
    MALFORMED_IMAGE,
    /**
     * The signature container or the CMS inside it breaks the rules: more than one WIN_CERTIFICATE, wrong revision
     * or type, a length past the end, not 8-aligned, the table not last or not after all mapped data, bytes after
     * it, unparsable or structurally wrong PKCS#7.
     */
    MALFORMED_SIGNATURE,
    /** The recomputed Authenticode digest or the PKCS#9 messageDigest does not match what was signed. */
    BAD_DIGEST,
    /** The signature value does not verify with the signer's public key. */
    BAD_SIGNATURE,
    /** SHA-1, MD5, RSA under 3072 bits, a curve other than P-256/P-384, or an algorithm we do not verify. */
    WEAK_ALGORITHM,
    /** The signer's chain does not lead to a pinned trust anchor (PKIX, revocation not checked). */
    UNTRUSTED_CHAIN,
    /** The signer's certificate lacks id-kp-codeSigning, the hotpatch-signing EKU, or digitalSignature. */
    MISSING_KEY_USAGE,
    /** A certificate of the chain had expired at the validation time. */
    CERTIFICATE_EXPIRED,
    /** A certificate of the chain was not yet valid at the validation time. */
    CERTIFICATE_NOT_YET_VALID,
    /** The RFC 3161 time-stamp token is unreadable, not over this signature, badly signed or not trusted. */
    BAD_TIMESTAMP;

    /** The stable name, such as {@code bad_digest}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
