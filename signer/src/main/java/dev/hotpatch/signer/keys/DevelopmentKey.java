package dev.hotpatch.signer.keys;

import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.signer.SignerException;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-user development key: a signing key that works out of the box, so that a developer can sign and verify
 * patches before a release key exists. It must never sign a release; its certificates say DEVELOPMENT ONLY.
 *
 * @param key        the leaf key and its chain (leaf, development root)
 * @param anchor     the development root, the trust anchor to pass to verification
 * @param keyStore   the PKCS#12 file holding key and chain (mode 0600, password {@link #KEYSTORE_PASSWORD})
 * @param anchorFile the development root as PEM
 * @param created    true when this call created the key, so the caller can say loudly what it just made
 */
public record DevelopmentKey(SigningKey key, X509Certificate anchor, Path keyStore, Path anchorFile,
                             boolean created) {

    /** The file names under the configuration directory. */
    public static final String KEYSTORE_FILE = "development-signing.p12";
    public static final String ANCHOR_FILE = "development-root.pem";
    public static final String ALIAS = "development";
    /**
     * Not a secret: the file's protection is its mode (0600). A fixed password lets other tools open it, for
     * example {@code osslsigncode sign -pkcs12 development-signing.p12 -pass hotpatch-development}.
     */
    public static final String KEYSTORE_PASSWORD = "hotpatch-development";

    /** {@code $XDG_CONFIG_HOME/hotpatch} when that variable is an absolute path, else {@code ~/.config/hotpatch}. */
    public static Path defaultConfigDir() {
        return defaultConfigDir(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** As {@link #defaultConfigDir()}, from the given environment and home directory. */
    public static Path defaultConfigDir(Map<String, String> environment, Path home) {
        String xdg = environment.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "hotpatch");
        }
        return home.resolve(".config").resolve("hotpatch");
    }

    /**
     * Loads the development key from {@code configDir}, creating it on first use. Safe when several processes or
     * threads call it at once: exactly one creates the key and all return that one.
     */
    public static DevelopmentKey loadOrCreate(Path configDir) throws SignerException {
        Path keyStore = configDir.resolve(KEYSTORE_FILE);
        Path anchorFile = configDir.resolve(ANCHOR_FILE);
        boolean created = false;
        try {
            if (!Files.exists(keyStore)) {
                PrivateFiles.createPrivateDirectory(configDir);
                created = PrivateFiles.createExclusive(keyStore, newKeyStore());
            }
        } catch (IOException e) {
            throw new SignerException("cannot create the development key in " + configDir + " (" + e.getMessage()
                    + "); check that the directory is writable", e);
        }
        SigningKey key = load(keyStore);
        X509Certificate anchor = key.chain().get(key.chain().size() - 1);
        writeOrCheckAnchor(anchorFile, anchor, keyStore, created);
        return new DevelopmentKey(key, anchor, keyStore, anchorFile, created);
    }

    private static byte[] newKeyStore() throws SignerException {
        try {
            DevelopmentCertificates.Issued issued = DevelopmentCertificates.issue(System.getProperty("user.name"));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, issued.leafKey().getPrivate(), KEYSTORE_PASSWORD.toCharArray(),
                    issued.chain().toArray(new Certificate[0]));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, KEYSTORE_PASSWORD.toCharArray());
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("this Java runtime cannot create an ECDSA P-256 PKCS#12 key store", e);
        }
    }

    private static SigningKey load(Path keyStore) throws SignerException {
        SigningKey key;
        try {
            key = KeyStoreLoader.load(new KeySpec.KeyStoreFile(keyStore, KEYSTORE_PASSWORD.toCharArray(),
                    Optional.of(ALIAS), Optional.empty()));
        } catch (SignerException e) {
            throw new SignerException("the development key is unusable: " + e.getMessage()
                    + " (delete " + keyStore + " to create a new development key)", e);
        }
        try {
            key.certificate().checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new SignerException("the development certificate in " + keyStore + " is valid only from "
                    + key.certificate().getNotBefore().toInstant() + " to " + key.certificate().getNotAfter().toInstant()
                    + "; delete " + keyStore + " to create a new development key", e);
        }
        return key;
    }

    /**
     * Writes the anchor when this call created the key (replacing one left from an earlier key) or when it is
     * missing (a concurrent creator may not have written it yet); otherwise checks that it is the key's root.
     */
    private static void writeOrCheckAnchor(Path anchorFile, X509Certificate anchor, Path keyStore, boolean created)
            throws SignerException {
        try {
            if (!created && Files.exists(anchorFile)) {
                List<X509Certificate> stored = CertificateChains.readAnchors(List.of(anchorFile));
                if (stored.size() != 1 || !stored.get(0).equals(anchor)) {
                    throw new SignerException("the development root " + anchorFile + " is not the root of "
                            + keyStore + "; delete " + anchorFile + " to write it again");
                }
                return;
            }
            AtomicFile.write(anchorFile, pem(anchor));
        } catch (IOException e) {
            throw new SignerException("cannot write the development root " + anchorFile + " (" + e.getMessage()
                    + "); check that the directory is writable", e);
        }
    }

    private static byte[] pem(X509Certificate certificate) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
