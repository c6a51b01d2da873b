package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

/**
 * Loads the signing key a {@link KeySpec} names. Every loader checks the same things before it returns: the chain
 * is ordered leaf first, the key is RSA of 3072 bits or more or ECDSA P-256/P-384, and the private key belongs to
 * the leaf certificate. Every failure is one sentence saying what to do.
 */
public final class KeyLoader {
    private KeyLoader() {}

    public static SigningKey load(KeySpec spec) throws SignerException {
        if (spec instanceof KeySpec.KeyStoreFile keyStore) {
            return KeyStoreLoader.load(keyStore);
        }
        if (spec instanceof KeySpec.PemFiles pem) {
            return PemKeyLoader.load(pem);
        }
        if (spec instanceof KeySpec.Pkcs11Token token) {
            return Pkcs11KeyLoader.load(token);
        }
        if (spec instanceof KeySpec.Development development) {
            return DevelopmentKey.loadOrCreate(development.configDir()).key();
        }
        throw new IllegalArgumentException("unknown key source " + spec.getClass().getName());
    }
}
