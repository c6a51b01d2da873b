package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.HotpatchOids;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

/**
 * Issues the development PKI: a self-signed root and one ECDSA P-256 leaf for hotpatch signing, both named so that
 * nobody mistakes them for a release key.
 */
final class DevelopmentCertificates {
    private DevelopmentCertificates() {}

    static final Duration ROOT_VALIDITY = Duration.ofDays(5 * 365);
    static final Duration LEAF_VALIDITY = Duration.ofDays(3 * 365);
    /** Certificates start an hour early so that a clock running slightly behind still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    /** The leaf key pair and the chain leaf-first, root last. */
    record Issued(KeyPair leafKey, List<X509Certificate> chain) {}

    static Issued issue(String owner) throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyPair rootKey = p256(random);
        KeyPair leafKey = p256(random);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X500Name rootName = name("hotpatch development root - DEVELOPMENT ONLY", owner);
        X500Name leafName = name("hotpatch development signer - DEVELOPMENT ONLY", owner);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder root = new JcaX509v3CertificateBuilder(rootName, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(ROOT_VALIDITY)), rootName, rootKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(rootKey.getPublic()));
            X509Certificate rootCert = sign(root, rootKey);
            X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(rootCert, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_VALIDITY)), jcaName(leafName),
                    leafKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
                            KeyPurposeId.id_kp_codeSigning, KeyPurposeId.getInstance(HotpatchOids.HOTPATCH_SIGNING)}))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(leafKey.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(rootCert));
            return new Issued(leafKey, List.of(sign(leaf, rootKey), rootCert));
        } catch (CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("Bouncy Castle cannot build the development certificates", e);
        }
    }

    private static KeyPair p256(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static X500Name name(String commonName, String owner) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "hotpatch DEVELOPMENT ONLY - not for release")
                .addRDN(BCStyle.OU, owner)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static javax.security.auth.x500.X500Principal jcaName(X500Name name) {
        try {
            return new javax.security.auth.x500.X500Principal(name.getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an X.500 name built here cannot be encoded", e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).setBit(126);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey.getPrivate())));
    }
}
