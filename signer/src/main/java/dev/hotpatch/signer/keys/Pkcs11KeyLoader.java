package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import javax.security.auth.login.FailedLoginException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Loads a signing key that stays on a PKCS#11 token. The JDK's SunPKCS11 provider is configured for the token's
 * slot; the returned {@link SigningKey} carries that provider instance, through which every signature must go.
 */
final class Pkcs11KeyLoader {
    private Pkcs11KeyLoader() {}

    static SigningKey load(KeySpec.Pkcs11Token spec) throws SignerException {
        Path library = spec.library();
        if (!Files.isRegularFile(library)) {
            throw new SignerException("the PKCS#11 module " + library + " does not exist; pass the path of the "
                    + "token's PKCS#11 library (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)");
        }
        long slot = spec.token() instanceof KeySpec.TokenRef.Label label
                ? Pkcs11TokenLabels.slotOf(library, label.label())
                : ((KeySpec.TokenRef.Slot) spec.token()).id();
        String token = spec.token() + " of " + library;
        Provider provider = configure(library, slot, token);
        KeyStore store = login(provider, spec.pin(), token);
        String alias = spec.alias();
        String source = "key '" + alias + "' on " + token;
        try {
            if (!store.containsAlias(alias)) {
                List<String> aliases = Collections.list(store.aliases());
                Collections.sort(aliases);
                throw new SignerException(token + " has no key '" + alias + "' (its entries: "
                        + (aliases.isEmpty() ? "none" : String.join(", ", aliases)) + "); pass one of those labels");
            }
            Key key = store.isKeyEntry(alias) ? store.getKey(alias, null) : null;
            if (!(key instanceof PrivateKey privateKey)) {
                throw new SignerException("the entry '" + alias + "' on " + token + " has no private key; pass the "
                        + "label of a private key with its certificate");
            }
            List<X509Certificate> chain = spec.certificateChain().isPresent()
                    ? CertificateChains.readChainFile(spec.certificateChain().get())
                    : CertificateChains.fromKeyStore(store.getCertificateChain(alias), source);
            KeyChecks.requireSupportedAlgorithm(chain.get(0), source);
            KeyChecks.requireMatch(privateKey, Optional.of(provider), chain.get(0), source);
            return new SigningKey(privateKey, chain, Optional.of(provider));
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot read " + source + " (" + e.getMessage() + "); check the token", e);
        }
    }

    private static Provider configure(Path library, long slot, String token) throws SignerException {
        Provider prototype = Security.getProvider("SunPKCS11");
        if (prototype == null) {
            throw new SignerException("this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki), "
                    + "which PKCS#11 tokens need; run with a full JDK or JRE");
        }
        String config = "--name = hotpatch-slot-" + slot + "\n"
                + "library = \"" + library.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"\n"
                + "slot = " + slot + "\n";
        try {
            return prototype.configure(config);
        } catch (ProviderException | IllegalArgumentException e) {
            throw new SignerException("SunPKCS11 cannot use " + token + " (" + rootMessage(e)
                    + "); check the library path and the slot", e);
        }
    }

    private static KeyStore login(Provider provider, char[] pin, String token) throws SignerException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            return store;
        } catch (IOException e) {
            String reason = rootMessage(e);
            if (hasCause(e, FailedLoginException.class) || reason.contains("CKR_PIN_INCORRECT")) {
                throw new SignerException("the PIN for " + token + " is wrong; check it (tokens lock after a few "
                        + "wrong tries)", e);
            }
            if (reason.contains("CKR_PIN_LOCKED")) {
                throw new SignerException("the PIN of " + token + " is locked; unlock it with the SO PIN", e);
            }
            throw new SignerException("cannot log in to " + token + " (" + reason + "); check the token", e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new SignerException("cannot open the key store of " + token + " (" + rootMessage(e)
                    + "); check the slot and that a token is present", e);
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && all.indexOf(c.getMessage()) < 0) {
                all.append(all.length() == 0 ? "" : ": ").append(c.getMessage());
            }
        }
        return all.length() == 0 ? t.getClass().getSimpleName() : all.toString();
    }
}
