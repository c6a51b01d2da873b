package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Loads a signing key from a PKCS#12 or JKS keystore file. */
final class KeyStoreLoader {
    private KeyStoreLoader() {}

    private static final int JKS_MAGIC = 0xFEEDFEED;
    private static final int DER_SEQUENCE = 0x30;

    static SigningKey load(KeySpec.KeyStoreFile spec) throws SignerException {
        Path path = spec.path();
        byte[] bytes = KeyFiles.read(path, "keystore");
        KeyStore store = open(path, bytes, spec.storePassword());
        String alias = spec.alias().isPresent() ? spec.alias().get() : onlyKeyEntry(store, path);
        String source = "alias '" + alias + "' in " + path;
        try {
            if (!store.containsAlias(alias)) {
                throw new SignerException("the keystore " + path + " has no entry '" + alias + "' (its entries: "
                        + String.join(", ", aliases(store)) + "); pass one of those aliases");
            }
            if (!store.isKeyEntry(alias)) {
                throw new SignerException("the entry '" + alias + "' in " + path + " holds a certificate but no "
                        + "private key; pass the alias of a key entry (" + describeKeyEntries(store) + ")");
            }
            Key key;
            try {
                key = store.getKey(alias, spec.keyPassword().orElse(spec.storePassword()));
            } catch (UnrecoverableKeyException e) {
                throw new SignerException("the key password of " + source + " is wrong; pass the key's own "
                        + "password if it differs from the store password", e);
            }
            if (!(key instanceof PrivateKey privateKey)) {
                throw new SignerException("the entry '" + alias + "' in " + path + " holds a secret key, not a "
                        + "private key; pass the alias of a private key entry");
            }
            List<X509Certificate> chain = CertificateChains.fromKeyStore(store.getCertificateChain(alias), source);
            KeyChecks.requireSupportedAlgorithm(chain.get(0), source);
            KeyChecks.requireMatch(privateKey, Optional.empty(), chain.get(0), source);
            return new SigningKey(privateKey, chain, Optional.empty());
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot read " + source + " (" + e.getMessage() + "); check the keystore with "
                    + "keytool -list", e);
        }
    }

    private static KeyStore open(Path path, byte[] bytes, char[] password) throws SignerException {
        String type = detectType(bytes);
        if (type == null) {
            throw new SignerException("the file " + path + " is neither a PKCS#12 nor a JKS keystore; pass a "
                    + ".p12/.pfx or .jks file, or use the PEM options for PEM files");
        }
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(new ByteArrayInputStream(bytes), password);
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new SignerException("the store password of the keystore " + path + " is wrong; check it", e);
            }
            throw new SignerException("the " + type + " keystore " + path + " cannot be read (" + e.getMessage()
                    + "); check that the file is complete", e);
        } catch (GeneralSecurityException e) {
            throw new SignerException("the " + type + " keystore " + path + " cannot be read (" + e.getMessage()
                    + "); check that the file is complete", e);
        }
    }

    /** PKCS#12 is a DER SEQUENCE; JKS starts with 0xFEEDFEED. */
    private static String detectType(byte[] bytes) {
        if (bytes.length >= 4 && (((bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8
                | (bytes[3] & 0xff)) == JKS_MAGIC)) {
            return "JKS";
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == DER_SEQUENCE) {
            return "PKCS12";
        }
        return null;
    }

    private static String onlyKeyEntry(KeyStore store, Path path) throws SignerException {
        List<String> keys = keyAliases(store);
        if (keys.size() == 1) {
            return keys.get(0);
        }
        if (keys.isEmpty()) {
            throw new SignerException("the keystore " + path + " holds no private key entry; import the signing "
                    + "key and its certificate chain into it");
        }
        throw new SignerException("the keystore " + path + " holds " + keys.size() + " key entries ("
                + String.join(", ", keys) + "); pass the alias of the one to sign with");
    }

    private static List<String> aliases(KeyStore store) throws SignerException {
        try {
            List<String> all = Collections.list(store.aliases());
            Collections.sort(all);
            return all;
        } catch (KeyStoreException e) {
            throw new IllegalStateException("a loaded keystore cannot list its aliases", e);
        }
    }

    private static List<String> keyAliases(KeyStore store) throws SignerException {
        List<String> keys = new ArrayList<>();
        for (String alias : aliases(store)) {
            try {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            } catch (KeyStoreException e) {
                throw new IllegalStateException("a loaded keystore cannot describe its entries", e);
            }
        }
        return keys;
    }

    private static String describeKeyEntries(KeyStore store) throws SignerException {
        List<String> keys = keyAliases(store);
        return keys.isEmpty() ? "it has none" : "key entries: " + String.join(", ", keys);
    }
}
