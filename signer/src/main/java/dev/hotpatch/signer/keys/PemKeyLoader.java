package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.BouncyCastle;
import dev.hotpatch.signer.SignerException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.EncryptionException;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Loads a signing key from a PEM private key file and a certificate-chain file (PEM or DER). */
final class PemKeyLoader {
    private PemKeyLoader() {}

    static SigningKey load(KeySpec.PemFiles spec) throws SignerException {
        PrivateKey privateKey = readPrivateKey(spec.privateKey(), spec.password());
        List<X509Certificate> chain = CertificateChains.readChainFile(spec.certificateChain());
        String source = "the key " + spec.privateKey() + " with the chain " + spec.certificateChain();
        KeyChecks.requireSupportedAlgorithm(chain.get(0), source);
        KeyChecks.requireMatch(privateKey, Optional.empty(), chain.get(0), source);
        return new SigningKey(privateKey, chain, Optional.empty());
    }

    static PrivateKey readPrivateKey(Path path, Optional<char[]> password) throws SignerException {
        List<Object> keys = new ArrayList<>();
        for (Object o : readPem(path, KeyFiles.read(path, "private key file"), "private key file")) {
            if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair || o instanceof PEMEncryptedKeyPair
                    || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                keys.add(o);
            }
        }
        if (keys.size() != 1) {
            throw new SignerException("the private key file " + path + " holds " + keys.size()
                    + " private keys; pass a PEM file with exactly one (BEGIN PRIVATE KEY, BEGIN ENCRYPTED "
                    + "PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(decrypt(keys.get(0), path, password));
        } catch (PEMException e) {
            throw new SignerException("the private key in " + path + " cannot be converted (" + e.getMessage()
                    + "); pass an RSA or EC key", e);
        }
    }

    private static PrivateKeyInfo decrypt(Object key, Path path, Optional<char[]> password) throws SignerException {
        if (key instanceof PrivateKeyInfo info) {
            return info;
        }
        if (key instanceof PEMKeyPair pair) {
            return pair.getPrivateKeyInfo();
        }
        char[] secret = password.orElseThrow(() -> new SignerException("the private key in " + path
                + " is encrypted; pass its password"));
        String wrong = "the password of the private key " + path + " is wrong (or the file is damaged); check it";
        try {
            if (key instanceof PEMEncryptedKeyPair encrypted) {
                return encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                        .setProvider(BouncyCastle.provider()).build(secret)).getPrivateKeyInfo();
            }
            PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) key;
            return encrypted.decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BouncyCastle.provider()).build(secret));
        } catch (EncryptionException | PKCSException e) {
            throw new SignerException(wrong, e);
        } catch (OperatorCreationException e) {
            throw new SignerException("the private key " + path + " is encrypted with a scheme this build cannot "
                    + "decrypt (" + e.getMessage() + "); re-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc", e);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            // A wrong password can yield valid padding over garbage, which then fails to parse.
            throw new SignerException(wrong, e);
        }
    }

    /**
     * The certificates in the PEM text {@code bytes}, read from {@code path} (the {@code what} of messages);
     * text that holds none is refused with {@code remedy}.
     */
    static List<X509Certificate> readCertificates(Path path, byte[] bytes, String what, String remedy)
            throws SignerException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : readPem(path, bytes, what)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new SignerException("a certificate in " + path + " cannot be decoded (" + e.getMessage()
                            + "); check the file", e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new SignerException("the " + what + " " + path + " holds no PEM certificate (BEGIN "
                    + "CERTIFICATE); " + remedy);
        }
        return certificates;
    }

    private static List<Object> readPem(Path path, byte[] bytes, String what) throws SignerException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new SignerException("the " + what + " " + path + " is not valid PEM (" + e.getMessage()
                    + "); check that you passed the right file", e);
        }
        return objects;
    }
}
