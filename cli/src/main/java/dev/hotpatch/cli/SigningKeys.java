package dev.hotpatch.cli;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.keys.DevelopmentKey;
import dev.hotpatch.signer.keys.KeyLoader;
import dev.hotpatch.signer.keys.KeySpec;
import dev.hotpatch.signer.keys.SigningKey;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** Loads the key the options name, or the development key, saying loudly when that is the one used. */
final class SigningKeys {
    private SigningKeys() {}

    /** The key and, for the development key, its trust anchor. */
    record Loaded(SigningKey key, Optional<X509Certificate> developmentAnchor) {}

    static SigningKey load(KeyOptions options, PrintWriter err) throws Errors.InputException, SignerException {
        return loadWithAnchor(options, err).key();
    }

    static Loaded loadWithAnchor(KeyOptions options, PrintWriter err) throws Errors.InputException, SignerException {
        Optional<KeySpec> spec = options.spec();
        if (spec.isPresent()) {
            return new Loaded(KeyLoader.load(spec.get()), Optional.empty());
        }
        DevelopmentKey dev = DevelopmentKey.loadOrCreate(configDir());
        err.println("hotpatch: WARNING: signing with the DEVELOPMENT key " + dev.keyStore()
                + (dev.created() ? " (just created)" : "") + "; it is for development only and must never sign a"
                + " release. Its trust anchor is " + dev.anchorFile() + ". Pass --keystore, --key or --pkcs11-library"
                + " to sign with a release key.");
        err.flush();
        return new Loaded(dev.key(), Optional.of(dev.anchor()));
    }

    /**
     * Where the development key lives: the system property {@code hotpatch.configDir} when set (tests use it), else
     * {@code $XDG_CONFIG_HOME/hotpatch} or {@code ~/.config/hotpatch}.
     */
    static java.nio.file.Path configDir() {
        String override = System.getProperty("hotpatch.configDir");
        return override != null && !override.isEmpty() ? java.nio.file.Path.of(override) : DevelopmentKey.defaultConfigDir();
    }

    /** The anchor to check a fresh signature against: the given ones, the development root, or the chain's top. */
    static List<X509Certificate> anchorsFor(Loaded loaded, List<X509Certificate> given) {
        if (!given.isEmpty()) {
            return given;
        }
        if (loaded.developmentAnchor().isPresent()) {
            return List.of(loaded.developmentAnchor().get());
        }
        List<X509Certificate> chain = loaded.key().chain();
        return List.of(chain.get(chain.size() - 1));
    }
}
