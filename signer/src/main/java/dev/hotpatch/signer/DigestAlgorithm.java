package dev.hotpatch.signer;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The digests our signatures and time-stamps may use, and the one place that maps them to object identifiers.
 * SHA-1, MD5 and SHA-512 are absent on purpose: they cannot be chosen for signing, and the verifier reports them
 * as a weak algorithm (it still recomputes them, through {@code authenticode.Digests}, to report tampering).
 */
public enum DigestAlgorithm {
    SHA256("SHA-256", NISTObjectIdentifiers.id_sha256, 32),
    SHA384("SHA-384", NISTObjectIdentifiers.id_sha384, 48);

    private final String jcaName;
    private final ASN1ObjectIdentifier oid;
    private final int length;

    DigestAlgorithm(String jcaName, ASN1ObjectIdentifier oid, int length) {
        this.jcaName = jcaName;
        this.oid = oid;
        this.length = length;
    }

    /** The JCA name, "SHA-256" or "SHA-384". */
    public String jcaName() {
        return jcaName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    /** Length of a digest in bytes. */
    public int length() {
        return length;
    }

    /** The name without the dash, as in JCA signature names ("SHA256"). */
    public String shortName() {
        return jcaName.replace("-", "");
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java 17 runtime provides " + jcaName, e);
        }
    }

    public byte[] digest(byte[] data) {
        return newDigest().digest(data);
    }

    /** The algorithm with that object identifier, when it is one we allow. */
    public static Optional<DigestAlgorithm> of(ASN1ObjectIdentifier oid) {
        for (DigestAlgorithm a : values()) {
            if (a.oid.equals(oid)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Parses a user's choice ("sha256", "SHA-384"); SHA-1, MD5 and anything else are refused. */
    public static DigestAlgorithm named(String name) throws SignerException {
        String n = name.trim().toUpperCase(Locale.ROOT).replace("-", "");
        for (DigestAlgorithm a : values()) {
            if (a.shortName().equals(n)) {
                return a;
            }
        }
        throw new SignerException("digest algorithm \"" + name + "\" is not allowed; use SHA-256 or SHA-384"
                + (n.equals("SHA1") || n.equals("MD5") ? " (" + name + " is broken for signatures)" : ""));
    }
}
