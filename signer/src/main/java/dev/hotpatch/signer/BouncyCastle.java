package dev.hotpatch.signer;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.security.Provider;

/**
 * The one Bouncy Castle provider instance the signer uses where the JDK's providers fall short (deterministic
 * ECDSA, decrypting OpenSSL-encrypted keys). Made on first use, since constructing one is slow, and never
 * registered with {@link java.security.Security}, so it changes nothing for the rest of the JVM.
 */
public final class BouncyCastle {
    private BouncyCastle() {}

    public static Provider provider() {
        return Holder.PROVIDER;
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
