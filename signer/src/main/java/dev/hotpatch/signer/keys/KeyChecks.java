package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.authenticode.SignatureScheme;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Checks every loaded key the same way: the algorithm is one that hotpatch verification accepts, and the private
 * key really belongs to the signer's certificate (proved by signing a probe and verifying it with the certificate,
 * which works for token keys too, whose private parts never leave the token).
 */
final class KeyChecks {
    private KeyChecks() {}

    private static final byte[] PROBE = "hotpatch key-match probe".getBytes(StandardCharsets.US_ASCII);

    /**
     * Fails unless the certificate holds a key that hotpatch verification accepts ({@link AlgorithmPolicy#checkKey}:
     * RSA of at least {@link AlgorithmPolicy#MIN_RSA_BITS} bits, or ECDSA P-256/P-384).
     */
    static void requireSupportedAlgorithm(X509Certificate leaf, String source) throws SignerException {
        Optional<String> refused = AlgorithmPolicy.checkKey(leaf.getPublicKey(), source);
        if (refused.isPresent()) {
            throw new SignerException(refused.get());
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
        SignatureScheme scheme = SignatureScheme.forKey(publicKey, DigestAlgorithm.SHA256);
        byte[] signature;
        try {
            Signature signer = provider.isPresent()
                    ? Signature.getInstance(scheme.jcaName(), provider.get()) : Signature.getInstance(scheme.jcaName());
            signer.initSign(privateKey);
            signer.update(PROBE);
            signature = signer.sign();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignerException("cannot sign with the private key of " + source + " (" + e.getMessage()
                    + "); check that it is an RSA or EC key usable for signing", e);
        }
        if (!scheme.verifies(publicKey, PROBE, signature)) {
            throw new SignerException(mismatch);
        }
    }
}
