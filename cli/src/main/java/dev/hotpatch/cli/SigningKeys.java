package dev.hotpatch.cli;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.keys.DevelopmentKey;
import dev.hotpatch.signer.keys.KeyLoader;
import dev.hotpatch.signer.keys.KeySpec;
import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.keys.SigningKeyCheck;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Loads the key the options name, or the development key, and refuses one a verifier would refuse (expired, not
 * yet valid, lacking the key usages) before any work. The development-key warning is printed when something is
 * actually signed with it ({@link Loaded#announce}), not when it is loaded.
 */
final class SigningKeys {
    private SigningKeys() {}

    /** The key and, for the development key, where it lives and its trust anchor. */
    record Loaded(SigningKey key, Optional<DevelopmentKey> development) {

        Optional<X509Certificate> developmentAnchor() {
            return development.map(DevelopmentKey::anchor);
        }

        /** Says loudly, once something has been signed with it, that the key was the development key. */
        void announce(PrintWriter err) {
            development.ifPresent(dev -> {
                err.println("hotpatch: WARNING: signed with the DEVELOPMENT key " + dev.keyStore()
                        + (dev.created() ? " (just created)" : "") + "; it is for development only and must never sign"
                        + " a release. Its trust anchor (for --trust) is " + dev.anchorFile() + ". Pass --keystore,"
                        + " --key or --pkcs11-library to sign with a release key.");
                err.flush();
            });
        }
    }

    /**
     * @param forPatches whether the key signs patch images (so it needs the hotpatch-signing key usage)
     */
    static Loaded load(KeyOptions options, boolean forPatches) throws Errors.UsageException, Errors.InputException,
            SignerException {
        Optional<KeySpec> spec = options.spec();
        Loaded loaded = spec.isPresent() ? new Loaded(KeyLoader.load(spec.get()), Optional.empty())
                : developmentKey();
        SigningKeyCheck.requireUsable(loaded.key(), Instant.now(), forPatches);
        return loaded;
    }

    private static Loaded developmentKey() throws SignerException {
        DevelopmentKey dev = DevelopmentKey.loadOrCreate(configDir());
        return new Loaded(dev.key(), Optional.of(dev));
    }

    /**
     * Where the development key lives: the system property {@code hotpatch.configDir} when set (tests use it), else
     * {@code $XDG_CONFIG_HOME/hotpatch} or {@code ~/.config/hotpatch}.
     */
    static Path configDir() {
        String override = System.getProperty("hotpatch.configDir");
        return override != null && !override.isEmpty() ? Path.of(override) : DevelopmentKey.defaultConfigDir();
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
