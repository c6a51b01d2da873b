package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.teletrust.TeleTrusTObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;
import java.util.Optional;

/**
 * Which algorithms a hotpatch signature may use: SHA-256 or SHA-384; RSA keys of at least 3072 bits or ECDSA on
 * P-256 or P-384. Each check answers with the sentence to report, or empty when the algorithm is allowed.
 */
public final class AlgorithmPolicy {
    private AlgorithmPolicy() {}

    /** Smaller RSA keys are refused for signing, loading and verification alike (docs/authenticode.md, section 3). */
    public static final int MIN_RSA_BITS = 3072;

    private static final Map<ASN1ObjectIdentifier, String> NAMES = Map.ofEntries(
            Map.entry(NISTObjectIdentifiers.id_sha512, "SHA-512"),
            Map.entry(NISTObjectIdentifiers.id_sha224, "SHA-224"),
            Map.entry(OIWObjectIdentifiers.idSHA1, "SHA-1"),
            Map.entry(PKCSObjectIdentifiers.md5, "MD5"),
            Map.entry(PKCSObjectIdentifiers.sha1WithRSAEncryption, "SHA-1 with RSA"),
            Map.entry(PKCSObjectIdentifiers.md5WithRSAEncryption, "MD5 with RSA"),
            Map.entry(PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA-256 with RSA"),
            Map.entry(PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA-384 with RSA"),
            Map.entry(PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA-512 with RSA"),
            Map.entry(PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS"),
            Map.entry(PKCSObjectIdentifiers.rsaEncryption, "RSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA1, "ECDSA with SHA-1"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA256, "ECDSA with SHA-256"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA384, "ECDSA with SHA-384"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA512, "ECDSA with SHA-512"),
            Map.entry(X9ObjectIdentifiers.id_ecPublicKey, "ECDSA"),
            Map.entry(X9ObjectIdentifiers.id_dsa_with_sha1, "DSA with SHA-1"),
            Map.entry(SECObjectIdentifiers.secp256r1, "P-256"),
            Map.entry(SECObjectIdentifiers.secp384r1, "P-384"),
            Map.entry(SECObjectIdentifiers.secp521r1, "P-521"),
            Map.entry(SECObjectIdentifiers.secp256k1, "secp256k1"),
            Map.entry(TeleTrusTObjectIdentifiers.brainpoolP256r1, "brainpoolP256r1"),
            Map.entry(TeleTrusTObjectIdentifiers.brainpoolP384r1, "brainpoolP384r1"));

    /** A readable name for an algorithm or curve OID, or the dotted OID itself. */
    public static String name(ASN1ObjectIdentifier oid) {
        return DigestAlgorithm.of(oid).map(DigestAlgorithm::jcaName)
                .orElseGet(() -> NAMES.getOrDefault(oid, oid.getId()));
    }

    /** Empty when {@code digest} is a {@link DigestAlgorithm}; else the sentence naming it and where it is used. */
    public static Optional<String> checkDigest(ASN1ObjectIdentifier digest, String where) {
        if (DigestAlgorithm.of(digest).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(where + " uses " + name(digest) + ", which is not allowed; sign again with SHA-256 or SHA-384");
    }

    /** Empty when a certificate's signature algorithm is RSA or ECDSA with SHA-256 or better. */
    public static Optional<String> checkCertificateSignature(ASN1ObjectIdentifier algorithm, String whose) {
        if (algorithm.equals(PKCSObjectIdentifiers.sha1WithRSAEncryption)
                || algorithm.equals(PKCSObjectIdentifiers.md5WithRSAEncryption)
                || algorithm.equals(PKCSObjectIdentifiers.md2WithRSAEncryption)
                || algorithm.equals(X9ObjectIdentifiers.ecdsa_with_SHA1)
                || algorithm.equals(X9ObjectIdentifiers.id_dsa_with_sha1)) {
            return Optional.of("the certificate " + whose + " is signed with " + name(algorithm)
                    + ", which is not allowed; reissue it with SHA-256 or better");
        }
        return Optional.empty();
    }

    /** Empty when the key is RSA of at least 3072 bits or EC on P-256 or P-384. */
    public static Optional<String> checkKey(PublicKey key, String whose) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return bits >= MIN_RSA_BITS ? Optional.empty() : Optional.of("the key of " + whose + " is RSA of " + bits
                    + " bits, fewer than the " + MIN_RSA_BITS + " required; use a longer RSA key or ECDSA P-256/P-384");
        }
        if (key.getAlgorithm().equals("EC")) {
            Optional<ASN1ObjectIdentifier> curve = namedCurve(key);
            if (curve.isPresent() && (curve.get().equals(SECObjectIdentifiers.secp256r1)
                    || curve.get().equals(SECObjectIdentifiers.secp384r1))) {
                return Optional.empty();
            }
            return Optional.of("the key of " + whose + " is ECDSA on " + curve.map(AlgorithmPolicy::name)
                    .orElse("explicit or unknown curve parameters") + "; only P-256 and P-384 are allowed");
        }
        return Optional.of("the key of " + whose + " is " + key.getAlgorithm()
                + "; only RSA (3072 bits or more) and ECDSA P-256/P-384 are allowed");
    }

    private static Optional<ASN1ObjectIdentifier> namedCurve(PublicKey key) {
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
            if (info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve) {
                return Optional.of(curve);
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
