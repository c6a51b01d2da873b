package dev.hotpatch.signer;

import dev.hotpatch.signer.keys.SigningKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test certificates, made once per test JVM with Bouncy Castle: a root CA (RSA 3072) and an intermediate (ECDSA
 * P-384) valid 2019-2040, leaves for hotpatch signing with RSA 3072, P-256 and P-384, and the leaves each failure
 * fixture needs (expired in 2021, lacking the hotpatch EKU, RSA 2048, under another root), plus a TSA.
 */
public final class TestPki {
    public static final Instant CA_FROM = Instant.parse("2019-01-01T00:00:00Z");
    public static final Instant CA_TO = Instant.parse("2040-01-01T00:00:00Z");
    public static final Instant EXPIRED_FROM = Instant.parse("2020-01-01T00:00:00Z");
    public static final Instant EXPIRED_TO = Instant.parse("2021-01-01T00:00:00Z");
    /** A time inside the expired leaf's validity, for time-stamps. */
    public static final Instant WHILE_EXPIRED_LEAF_VALID = Instant.parse("2020-06-01T12:00:00Z");

    private static final AtomicLong SERIAL = new AtomicLong(1000);
    private static TestPki instance;

    public final KeyPair rootKey;
    public final X509Certificate root;
    public final KeyPair intermediateKey;
    public final X509Certificate intermediate;
    public final SigningKey rsa3072;
    public final SigningKey ecP256;
    public final SigningKey ecP384;
    public final SigningKey expired;
    public final SigningKey withoutHotpatchUsage;
    public final SigningKey rsa2048;
    public final X509Certificate otherRoot;
    public final SigningKey underOtherRoot;
    public final SigningKey tsa;
    public final SigningKey tsaUnderOtherRoot;

    public static synchronized TestPki get() {
        if (instance == null) {
            instance = new TestPki();
        }
        return instance;
    }

    private TestPki() {
        try {
            Instant now = Instant.now();
            Instant from = now.minus(1, ChronoUnit.DAYS);
            Instant to = now.plus(365, ChronoUnit.DAYS);
            rootKey = rsa(3072);
            root = ca("CN=Hotpatch Test Root", rootKey, null, null, CA_FROM, CA_TO);
            intermediateKey = ec("secp384r1");
            intermediate = ca("CN=Hotpatch Test Signing CA", intermediateKey, root, rootKey.getPrivate(), CA_FROM, CA_TO);
            List<KeyPurposeId> hotpatch = List.of(KeyPurposeId.id_kp_codeSigning,
                    KeyPurposeId.getInstance(HotpatchOids.HOTPATCH_SIGNING));
            rsa3072 = leaf("CN=Hotpatch Signer RSA-3072", rsa(3072), hotpatch, from, to);
            ecP256 = leaf("CN=Hotpatch Signer P-256", ec("secp256r1"), hotpatch, from, to);
            ecP384 = leaf("CN=Hotpatch Signer P-384", ec("secp384r1"), hotpatch, from, to);
            expired = leaf("CN=Hotpatch Signer Expired", ec("secp256r1"), hotpatch, EXPIRED_FROM, EXPIRED_TO);
            withoutHotpatchUsage = leaf("CN=Ordinary Code Signer", ec("secp256r1"),
                    List.of(KeyPurposeId.id_kp_codeSigning), from, to);
            rsa2048 = leaf("CN=Hotpatch Signer RSA-2048", rsa(2048), hotpatch, from, to);
            KeyPair otherRootKey = ec("secp384r1");
            otherRoot = ca("CN=Some Other Root", otherRootKey, null, null, CA_FROM, CA_TO);
            KeyPair otherLeafKey = ec("secp256r1");
            underOtherRoot = new SigningKey(otherLeafKey.getPrivate(), List.of(endEntity("CN=Signer Under Other Root",
                    otherLeafKey.getPublic(), otherRoot, otherRootKey.getPrivate(), hotpatch, from, to)), Optional.empty());
            KeyPair tsaKey = ec("secp256r1");
            tsa = new SigningKey(tsaKey.getPrivate(), List.of(endEntity("CN=Hotpatch Test TSA", tsaKey.getPublic(),
                    root, rootKey.getPrivate(), List.of(KeyPurposeId.id_kp_timeStamping), CA_FROM, CA_TO), root),
                    Optional.empty());
            KeyPair otherTsaKey = ec("secp256r1");
            tsaUnderOtherRoot = new SigningKey(otherTsaKey.getPrivate(), List.of(endEntity("CN=Untrusted TSA",
                    otherTsaKey.getPublic(), otherRoot, otherRootKey.getPrivate(),
                    List.of(KeyPurposeId.id_kp_timeStamping), CA_FROM, CA_TO), otherRoot), Optional.empty());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test PKI", e);
        }
    }

    /** The pinned-root options every test verifies with, at the current time. */
    public VerifyOptions options() {
        return VerifyOptions.pinned(List.of(root));
    }

    private SigningKey leaf(String subject, KeyPair key, List<KeyPurposeId> usages, Instant from, Instant to)
            throws Exception {
        X509Certificate cert = endEntity(subject, key.getPublic(), intermediate, intermediateKey.getPrivate(), usages,
                from, to);
        return new SigningKey(key.getPrivate(), List.of(cert, intermediate), Optional.empty());
    }

    private static X509Certificate endEntity(String subject, PublicKey key, X509Certificate issuer,
                                             PrivateKey issuerKey, List<KeyPurposeId> usages, Instant from,
                                             Instant to) throws Exception {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from), Date.from(to), new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        boolean timeStamping = usages.contains(KeyPurposeId.id_kp_timeStamping);
        b.addExtension(Extension.extendedKeyUsage, timeStamping,
                new ExtendedKeyUsage(usages.toArray(new KeyPurposeId[0])));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        return sign(b, issuerKey);
    }

    private static X509Certificate ca(String subject, KeyPair key, X509Certificate issuer, PrivateKey issuerKey,
                                      Instant from, Instant to) throws Exception {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X500Name name = new X500Name(subject);
        X509v3CertificateBuilder b = issuer == null
                ? new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from),
                Date.from(to), name, key.getPublic())
                : new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from),
                Date.from(to), name, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key.getPublic()));
        return sign(b, issuerKey == null ? key.getPrivate() : issuerKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws Exception {
        String alg = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA384withECDSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    /** Writes objects (certificates, private keys) as PEM. */
    public static Path writePem(Path file, Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
            }
        }
        return Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
    }

    /** The chain as a list with the root appended, for PEM files that tools read. */
    public List<Object> chainWithRoot(SigningKey key) {
        List<Object> out = new ArrayList<>(key.chain());
        out.add(root);
        return out;
    }

    static ASN1ObjectIdentifier oid(String s) {
        return new ASN1ObjectIdentifier(s);
    }
}
