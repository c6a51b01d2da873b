package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Checks every loaded key the same way: the algorithm is one that hotpatch verification accepts, and the private
 * key really belongs to the signer's certificate (proved by signing a probe and verifying it with the certificate,
 * which works for token keys too, whose private parts never leave the token).
 */
final class KeyChecks {
    private KeyChecks() {}

    /** Verification refuses smaller RSA keys (docs/authenticode.md, section 3). */
    static final int MIN_RSA_BITS = 3072;

    private static final byte[] PROBE = "hotpatch key-match probe".getBytes(StandardCharsets.US_ASCII);

    /** Fails unless the certificate holds an RSA key of at least 3072 bits or an ECDSA P-256/P-384 key. */
    static void requireSupportedAlgorithm(X509Certificate leaf, String source) throws SignerException {
        PublicKey key = leaf.getPublicKey();
        switch (key.getAlgorithm()) {
            case "RSA" -> {
                int bits = ((RSAPublicKey) key).getModulus().bitLength();
                if (bits < MIN_RSA_BITS) {
                    throw new SignerException("the RSA key of " + source + " has " + bits
                            + " bits, but hotpatch verification requires at least " + MIN_RSA_BITS
                            + "; issue a new key of 3072 bits or more, or an ECDSA P-256 key");
                }
            }
            case "EC" -> {
                Object params = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
                if (!(params instanceof ASN1ObjectIdentifier curve)
                        || !(curve.equals(SECObjectIdentifiers.secp256r1) || curve.equals(SECObjectIdentifiers.secp384r1))) {
                    throw new SignerException("the EC key of " + source + " is not on curve P-256 or P-384 ("
                            + params + "), which hotpatch verification requires; issue a P-256 or P-384 key");
                }
            }
            default -> throw new SignerException("the key of " + source + " is a " + key.getAlgorithm()
                    + " key, but hotpatch signing supports only RSA (3072 bits or more) and ECDSA P-256/P-384");
        }
    }

    /** Fails unless {@code privateKey} is the private half of the certificate's public key. */
    static void requireMatch(PrivateKey privateKey, Optional<Provider> provider, X509Certificate leaf,
                             String source) throws SignerException {
        PublicKey publicKey = leaf.getPublicKey();
        String mismatch = "the certificate " + leaf.getSubjectX500Principal().getName() + " of " + source
                + " does not match its private key; pass the certificate that was issued for this key";
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
            throw new SignerException(mismatch);
        }
        String algorithm = probeAlgorithm(publicKey);
        try {
            Signature signer = provider.isPresent()
                    ? Signature.getInstance(algorithm, provider.get()) : Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            if (!verifier.verify(signature)) {
                throw new SignerException(mismatch);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignerException("cannot sign with the private key of " + source + " (" + e.getMessage()
                    + "); check that it is an RSA or EC key usable for signing", e);
        }
    }

    private static String probeAlgorithm(PublicKey key) {
        return key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    }
}
