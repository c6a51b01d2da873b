package dev.hotpatch.signer.keys;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the signing key comes from, as a command line fills it in. {@link KeyLoader#load(KeySpec)} turns it into a
 * {@link SigningKey}. Passwords and PINs are {@code char[]} so a caller may clear them after loading; the records'
 * {@code toString} never shows them.
 */
public sealed interface KeySpec {

    /**
     * A PKCS#12 or JKS keystore file (the format is recognised from its content).
     *
     * @param alias       the key entry to use; when empty, the keystore must hold exactly one key entry
     * @param keyPassword the entry's password; when empty, the store password
     */
    record KeyStoreFile(Path path, char[] storePassword, Optional<String> alias, Optional<char[]> keyPassword)
            implements KeySpec {
        public KeyStoreFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(storePassword, "storePassword");
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(keyPassword, "keyPassword");
        }

        @Override
        public String toString() {
            return "KeyStoreFile[" + path + ", alias=" + alias.orElse("(only key)") + "]";
        }
    }

    /**
     * A PEM private key (PKCS#8, encrypted PKCS#8, or OpenSSL's traditional RSA/EC form, encrypted or not) and a
     * file of the certificate chain in any order (PEM or DER, read with {@link CertificateChains#readChainFile}).
     *
     * @param password the key file's password, needed only when it is encrypted
     */
    record PemFiles(Path privateKey, Path certificateChain, Optional<char[]> password) implements KeySpec {
        public PemFiles {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "PemFiles[" + privateKey + ", " + certificateChain + "]";
        }
    }

    /**
     * A key on a PKCS#11 token (smart card, HSM), used through the JDK's SunPKCS11 provider.
     *
     * @param library          the token's PKCS#11 module, such as {@code /usr/lib/softhsm/libsofthsm2.so}
     * @param token            which slot or token label
     * @param pin              the user PIN
     * @param alias            the key's label on the token (SunPKCS11 names an entry by its certificate's label)
     * @param certificateChain a chain file (PEM or DER) to use instead of the certificates on the token, for tokens
     *                         that hold only the signer's certificate; its leaf must match the token's key
     */
    record Pkcs11Token(Path library, TokenRef token, char[] pin, String alias, Optional<Path> certificateChain)
            implements KeySpec {
        public Pkcs11Token {
            Objects.requireNonNull(library, "library");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(pin, "pin");
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(certificateChain, "certificateChain");
        }

        @Override
        public String toString() {
            return "Pkcs11Token[" + library + ", " + token + ", alias=" + alias + "]";
        }
    }

    /** The per-user development key of {@link DevelopmentKey}, created on first use under {@code configDir}. */
    record Development(Path configDir) implements KeySpec {
        public Development {
            Objects.requireNonNull(configDir, "configDir");
        }
    }

    /** How a PKCS#11 token is chosen: by slot id, or by the label it was initialised with. */
    sealed interface TokenRef {
        record Slot(long id) implements TokenRef {
            @Override
            public String toString() {
                return "slot " + id;
            }
        }

        record Label(String label) implements TokenRef {
            public Label {
                Objects.requireNonNull(label, "label");
            }

            @Override
            public String toString() {
                return "token '" + label + "'";
            }
        }
    }
}
