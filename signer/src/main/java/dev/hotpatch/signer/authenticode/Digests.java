package dev.hotpatch.signer.authenticode;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * The digests a signature found in a file may name and the verifier can recompute, allowed or not: a SHA-1
 * signed image is reported as weak, and also as tampered when its SHA-1 digest no longer matches.
 */
public final class Digests {
    private Digests() {}

    private static final Map<ASN1ObjectIdentifier, String> JCA = Map.of(
            NISTObjectIdentifiers.id_sha256, "SHA-256",
            NISTObjectIdentifiers.id_sha384, "SHA-384",
            NISTObjectIdentifiers.id_sha512, "SHA-512",
            OIWObjectIdentifiers.idSHA1, "SHA-1",
            PKCSObjectIdentifiers.md5, "MD5");

    /** A fresh digest for that OID, or empty when it is none of SHA-256/384/512, SHA-1, MD5. */
    public static Optional<MessageDigest> forOid(ASN1ObjectIdentifier oid) {
        String name = JCA.get(oid);
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(MessageDigest.getInstance(name));
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }
}
