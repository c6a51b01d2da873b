package dev.hotpatch.signer.testpki;

import dev.hotpatch.signer.HotpatchOids;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test certificates in one line each: {@code TestPki.root("Test Root")}, then {@code root.issueCodeSigning(...)},
 * {@code root.issueTsa(...)}. Keys are ECDSA P-256 unless a test asks for RSA; RSA key pairs of each size are
 * generated once per JVM because 3072-bit generation is slow.
 */
public final class TestPki {
    private TestPki() {}

    private static final AtomicLong SERIALS = new AtomicLong(1000);
    private static final ConcurrentHashMap<Integer, KeyPair> RSA_CACHE = new ConcurrentHashMap<>();

    /** A certificate and its key pair. Issuing methods return new {@code Issued} signed by this one. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {
        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        public Issued issueIntermediate(String commonName) {
            return issueBy(this, commonName, ecKeyPair(), Profile.CA, defaultValidity());
        }

        /** A leaf with digitalSignature, id-kp-codeSigning and the hotpatch-signing EKU. */
        public Issued issueCodeSigning(String commonName, KeyPair keyPair) {
            return issueBy(this, commonName, keyPair, Profile.HOTPATCH_SIGNING, defaultValidity());
        }

        public Issued issueCodeSigning(String commonName) {
            return issueCodeSigning(commonName, ecKeyPair());
        }

        /** A time-stamping certificate: the critical extended key usage id-kp-timeStamping and nothing else. */
        public Issued issueTsa(String commonName) {
            return issueBy(this, commonName, ecKeyPair(), Profile.TSA, defaultValidity());
        }

        /** A leaf with digitalSignature only and no extended key usage. */
        public Issued issuePlain(String commonName, KeyPair keyPair) {
            return issueBy(this, commonName, keyPair, Profile.PLAIN, defaultValidity());
        }

        public Issued issue(String commonName, KeyPair keyPair, Profile profile, Validity validity) {
            return issueBy(this, commonName, keyPair, profile, validity);
        }
    }

    /**
     * What a certificate is for: a CA; a hotpatch signer (id-kp-codeSigning and the hotpatch-signing EKU); an
     * ordinary code signer (id-kp-codeSigning only); a TSA (critical id-kp-timeStamping only); or a leaf with
     * digitalSignature and no extended key usage.
     */
    public enum Profile { CA, HOTPATCH_SIGNING, CODE_SIGNING, TSA, PLAIN }

    public record Validity(Instant notBefore, Instant notAfter) {}

    public static Validity defaultValidity() {
        Instant now = Instant.now();
        return new Validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    public static Issued root(String commonName) {
        return root(commonName, ecKeyPair());
    }

    public static Issued root(String commonName, KeyPair keyPair) {
        return root(commonName, keyPair, defaultValidity());
    }

    public static Issued root(String commonName, KeyPair keyPair, Validity validity) {
        return issueBy(null, commonName, keyPair, Profile.CA, validity);
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ecKeyPair(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RSA key pair of {@code bits}, the same one for every caller in this JVM. */
    public static KeyPair rsaKeyPair(int bits) {
        return RSA_CACHE.computeIfAbsent(bits, b -> {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(b);
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * PEM text of certificates, keys or any object Bouncy Castle's PEM writer knows. A private key comes out in
     * OpenSSL's traditional form ("BEGIN RSA PRIVATE KEY"); wrap it in {@link #pkcs8} for "BEGIN PRIVATE KEY", which
     * openssl and osslsigncode read for EC keys too.
     */
    public static String pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                writer.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes {@link #pem} of the objects to {@code file}; the tests' one PEM writer. */
    public static Path writePem(Path file, Object... objects) throws IOException {
        return Files.writeString(file, pem(objects), StandardCharsets.US_ASCII);
    }

    /** A private key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), for {@link #pem} and {@link #writePem}. */
    public static Object pkcs8(PrivateKey key) {
        try {
            return new JcaPKCS8Generator(key, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Issued issueBy(Issued issuer, String commonName, KeyPair keyPair, Profile profile,
                                Validity validity) {
        try {
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "hotpatch tests").addRDN(BCStyle.CN, commonName).build();
            X500Name issuerName = issuer == null ? subject
                    : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? keyPair.getPrivate() : issuer.privateKey();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(validity.notBefore()),
                    Date.from(validity.notAfter()), subject, keyPair.getPublic())
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keyPair.getPublic()));
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(issuer.certificate()));
            }
            switch (profile) {
                case CA -> builder
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                case HOTPATCH_SIGNING -> builder
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
                                KeyPurposeId.id_kp_codeSigning,
                                KeyPurposeId.getInstance(HotpatchOids.HOTPATCH_SIGNING)}));
                case CODE_SIGNING -> builder
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false,
                                new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
                case TSA -> builder
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, true,
                                new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
                case PLAIN -> builder
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            }
            String algorithm = signingKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new Issued(new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey))), keyPair);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue the test certificate " + commonName, e);
        }
    }
}
