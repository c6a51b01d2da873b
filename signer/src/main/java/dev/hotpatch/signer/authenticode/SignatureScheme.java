package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
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

    /** The scheme for a key of that algorithm ("RSA", "EC"; any other name makes a scheme nothing verifies). */
    public static SignatureScheme forKey(PublicKey key, DigestAlgorithm digest) {
        return new SignatureScheme(key.getAlgorithm(), digest);
    }

    /**
     * True when {@code signature} is a valid signature over {@code data} by the private half of {@code key}, with
     * the default providers; false on a wrong signature and on anything the provider refuses (a malformed value,
     * a key of the wrong type), since untrusted input may be either.
     */
    public boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature v = Signature.getInstance(jcaName());
            v.initVerify(key);
            v.update(data);
            return v.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
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
