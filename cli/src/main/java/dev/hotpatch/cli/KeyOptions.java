package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.KeySpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the signing key comes from: a keystore, PEM files or a PKCS#11 token; without any of them, the
 * development key in the user's configuration directory. Passwords and PINs take {@code env:NAME},
 * {@code file:PATH} or the value itself.
 */
final class KeyOptions {
    @Option(names = "--keystore", paramLabel = "FILE", description = "PKCS#12 or JKS keystore holding the signing key")
    Path keystore;

    @Option(names = "--storepass", paramLabel = "SECRET", description = "keystore password (env:NAME, file:PATH or the value)")
    String storePassword;

    @Option(names = "--alias", paramLabel = "NAME", description = "the key's alias in the keystore or on the token")
    String alias;

    @Option(names = "--keypass", paramLabel = "SECRET", description = "the key's password, if not the keystore's")
    String keyPassword;

    @Option(names = "--key", paramLabel = "PEM", description = "private key file (PEM: PKCS#8, encrypted PKCS#8, RSA or EC)")
    Path pemKey;

    @Option(names = "--cert-chain", paramLabel = "PEM", description = "the signer's certificate and its issuers (PEM)")
    Path certificateChain;

    @Option(names = "--pkcs11-library", paramLabel = "FILE", description = "PKCS#11 module of the token (e.g. libsofthsm2.so)")
    Path pkcs11Library;

    @Option(names = "--pkcs11-slot", paramLabel = "ID", description = "the token's slot")
    Long pkcs11Slot;

    @Option(names = "--pkcs11-token", paramLabel = "LABEL", description = "the token's label (instead of --pkcs11-slot)")
    String pkcs11Token;

    @Option(names = "--pin", paramLabel = "SECRET", description = "the token's PIN (env:NAME, file:PATH or the value)")
    String pin;

    /** The key source the options name, or empty for the development key. */
    Optional<KeySpec> spec() throws Errors.UsageException, Errors.InputException {
        int sources = (keystore != null ? 1 : 0) + (pemKey != null ? 1 : 0) + (pkcs11Library != null ? 1 : 0);
        if (sources > 1) {
            throw new Errors.UsageException("give one key source: --keystore, --key or --pkcs11-library.");
        }
        if (keystore != null) {
            if (storePassword == null) {
                throw new Errors.UsageException("--keystore needs --storepass.");
            }
            return Optional.of(new KeySpec.KeyStoreFile(keystore, Secrets.read(storePassword, "keystore password"),
                    Optional.ofNullable(alias), keyPassword == null ? Optional.empty()
                            : Optional.of(Secrets.read(keyPassword, "key password"))));
        }
        if (pemKey != null) {
            if (certificateChain == null) {
                throw new Errors.UsageException("--key needs --cert-chain (the signer's certificate and its issuers).");
            }
            return Optional.of(new KeySpec.PemFiles(pemKey, certificateChain, keyPassword == null ? Optional.empty()
                    : Optional.of(Secrets.read(keyPassword, "key password"))));
        }
        if (pkcs11Library != null) {
            if (pin == null || alias == null || (pkcs11Slot == null) == (pkcs11Token == null)) {
                throw new Errors.UsageException("--pkcs11-library needs --pin, --alias and one of --pkcs11-slot or "
                        + "--pkcs11-token.");
            }
            KeySpec.TokenRef token = pkcs11Slot != null ? new KeySpec.TokenRef.Slot(pkcs11Slot)
                    : new KeySpec.TokenRef.Label(pkcs11Token);
            return Optional.of(new KeySpec.Pkcs11Token(pkcs11Library, token, Secrets.read(pin, "PIN"), alias,
                    Optional.ofNullable(certificateChain)));
        }
        if (certificateChain != null || storePassword != null || pin != null || alias != null || keyPassword != null
                || pkcs11Slot != null || pkcs11Token != null) {
            throw new Errors.UsageException("--cert-chain, --storepass, --keypass, --alias, --pin, --pkcs11-slot and "
                    + "--pkcs11-token belong to --key, --keystore or --pkcs11-library; give the key source too");
        }
        return Optional.empty();
    }
}
