package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.Optional;

/**
 * The digests a signature found in a file may name and the verifier can recompute: the allowed ones of
 * {@link DigestAlgorithm}, and the disallowed ones it still recognises (SHA-512, SHA-1, MD5), so that a SHA-1
 * signed image is reported as weak, and also as tampered when its SHA-1 digest no longer matches.
 */
public final class Digests {
    private Digests() {}

    /** Digests that are not allowed for signing but still recomputed; their {@link AlgorithmPolicy#name} is their
     *  JCA name. */
    private static final Set<ASN1ObjectIdentifier> DISALLOWED = Set.of(
            NISTObjectIdentifiers.id_sha512, OIWObjectIdentifiers.idSHA1, PKCSObjectIdentifiers.md5);

    /** A fresh digest for that OID, or empty when it is none of SHA-256/384/512, SHA-1, MD5. */
    public static Optional<MessageDigest> forOid(ASN1ObjectIdentifier oid) {
        Optional<DigestAlgorithm> allowed = DigestAlgorithm.of(oid);
        if (allowed.isPresent()) {
            return Optional.of(allowed.get().newDigest());
        }
        if (!DISALLOWED.contains(oid)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MessageDigest.getInstance(AlgorithmPolicy.name(oid)));
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }
}
