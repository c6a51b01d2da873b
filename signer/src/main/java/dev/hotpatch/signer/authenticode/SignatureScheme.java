package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.security.PublicKey;
import java.util.Optional;

/**
 * A signature algorithm as a SignerInfo names it and as JCA runs it: RSA PKCS#1 v1.5 or ECDSA, with SHA-256 or
 * SHA-384. RSA is written as rsaEncryption with the digest in digestAlgorithm, as signtool and osslsigncode do;
 * ECDSA as ecdsa-with-SHA256/384.
 *
 * @param keyAlgorithm "RSA" or "EC"
 * @param digest       the digest of the signed attributes
 */
public record SignatureScheme(String keyAlgorithm, DigestAlgorithm digest) {

    public static SignatureScheme forKey(PublicKey key, DigestAlgorithm digest) {
        return new SignatureScheme(key.getAlgorithm().equals("EC") ? "EC" : key.getAlgorithm(), digest);
    }

    /** The JCA signature name, such as "SHA256withRSA" or "SHA384withECDSA". */
    public String jcaName() {
        return digest.shortName() + "with" + (isEc() ? "ECDSA" : keyAlgorithm);
    }

    public boolean isEc() {
        return keyAlgorithm.equals("EC");
    }

    /** The SignerInfo's signatureAlgorithm (digestEncryptionAlgorithm). */
    public AlgorithmIdentifier signerInfoAlgorithm() {
        if (isEc()) {
            return new AlgorithmIdentifier(digest == DigestAlgorithm.SHA256
                    ? X9ObjectIdentifiers.ecdsa_with_SHA256 : X9ObjectIdentifiers.ecdsa_with_SHA384);
        }
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
    }

    /**
     * The scheme a SignerInfo describes, or empty when its signature algorithm is not one we verify (RSASSA-PSS,
     * DSA, SHA-1 or MD5 based, ...) or names a different digest than its digestAlgorithm.
     */
    public static Optional<SignatureScheme> of(ASN1ObjectIdentifier signatureAlgorithm, DigestAlgorithm digest) {
        if (signatureAlgorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return Optional.of(new SignatureScheme("RSA", digest));
        }
        if (signatureAlgorithm.equals(PKCSObjectIdentifiers.sha256WithRSAEncryption)) {
            return digest == DigestAlgorithm.SHA256 ? Optional.of(new SignatureScheme("RSA", digest)) : Optional.empty();
        }
        if (signatureAlgorithm.equals(PKCSObjectIdentifiers.sha384WithRSAEncryption)) {
            return digest == DigestAlgorithm.SHA384 ? Optional.of(new SignatureScheme("RSA", digest)) : Optional.empty();
        }
        if (signatureAlgorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            return Optional.of(new SignatureScheme("EC", digest));
        }
        if (signatureAlgorithm.equals(X9ObjectIdentifiers.ecdsa_with_SHA256)) {
            return digest == DigestAlgorithm.SHA256 ? Optional.of(new SignatureScheme("EC", digest)) : Optional.empty();
        }
        if (signatureAlgorithm.equals(X9ObjectIdentifiers.ecdsa_with_SHA384)) {
            return digest == DigestAlgorithm.SHA384 ? Optional.of(new SignatureScheme("EC", digest)) : Optional.empty();
        }
        return Optional.empty();
    }
}
