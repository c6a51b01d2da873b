package dev.hotpatch.signer.keys;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A private key and its certificate chain, as a release engineer holds them (keystore, PEM files, token).
 *
 * @param privateKey the signing key; for a PKCS#11 token only a handle, usable only through {@code provider}
 * @param chain      the signer's certificate first, then its issuers in order (the root may be left out)
 * @param provider   the JCA provider that must perform the signature (a token's SunPKCS11 instance), or empty to
 *                   let the default providers sign
 */
public record SigningKey(PrivateKey privateKey, List<X509Certificate> chain,
                         Optional<Provider> provider) {
    public SigningKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a signing key needs at least its own certificate");
        }
    }

    /** The signer's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }
}
