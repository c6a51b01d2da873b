package dev.hotpatch.signer;

import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.testpki.TestPki;
import dev.hotpatch.signer.testpki.TestPki.Issued;
import dev.hotpatch.signer.testpki.TestPki.Profile;
import dev.hotpatch.signer.testpki.TestPki.Validity;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificates the signing and verification tests share, issued once per test JVM with {@link TestPki}: a root
 * CA (RSA 3072) and an intermediate (ECDSA P-384) valid 2019-2040; hotpatch-signing leaves under the intermediate
 * with RSA 3072, P-256 and P-384; the leaves each failure fixture needs (expired in 2021, code signing without the
 * hotpatch EKU, RSA 2048, one under another root); and a TSA under each root. Leaves are valid from yesterday for
 * a year. Subjects read "CN=...,O=hotpatch tests".
 */
public final class Fixtures {
    public static final Instant CA_FROM = Instant.parse("2019-01-01T00:00:00Z");
    public static final Instant CA_TO = Instant.parse("2040-01-01T00:00:00Z");
    public static final Instant EXPIRED_FROM = Instant.parse("2020-01-01T00:00:00Z");
    public static final Instant EXPIRED_TO = Instant.parse("2021-01-01T00:00:00Z");
    /** A time inside the expired leaf's validity, for time-stamps. */
    public static final Instant WHILE_EXPIRED_LEAF_VALID = Instant.parse("2020-06-01T12:00:00Z");
    private static final Validity CA = new Validity(CA_FROM, CA_TO);

    private static Fixtures instance;

    public final X509Certificate root;
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

    public static synchronized Fixtures get() {
        if (instance == null) {
            instance = new Fixtures();
        }
        return instance;
    }

    private Fixtures() {
        // The root gets its own RSA key: TestPki.rsaKeyPair(3072) is the one the RSA-3072 leaf shares with other tests.
        Issued rootCa = TestPki.root("Hotpatch Test Root", newRsaKeyPair(3072), CA);
        Issued signingCa = rootCa.issue("Hotpatch Test Signing CA", TestPki.ecKeyPair("secp384r1"), Profile.CA, CA);
        root = rootCa.certificate();
        intermediate = signingCa.certificate();
        Validity now = TestPki.defaultValidity();
        rsa3072 = key(signingCa.issue("Hotpatch Signer RSA-3072", TestPki.rsaKeyPair(3072), Profile.HOTPATCH_SIGNING,
                now), intermediate);
        ecP256 = key(signingCa.issue("Hotpatch Signer P-256", TestPki.ecKeyPair("secp256r1"), Profile.HOTPATCH_SIGNING,
                now), intermediate);
        ecP384 = key(signingCa.issue("Hotpatch Signer P-384", TestPki.ecKeyPair("secp384r1"), Profile.HOTPATCH_SIGNING,
                now), intermediate);
        expired = key(signingCa.issue("Hotpatch Signer Expired", TestPki.ecKeyPair(), Profile.HOTPATCH_SIGNING,
                new Validity(EXPIRED_FROM, EXPIRED_TO)), intermediate);
        withoutHotpatchUsage = key(signingCa.issue("Ordinary Code Signer", TestPki.ecKeyPair(), Profile.CODE_SIGNING,
                now), intermediate);
        rsa2048 = key(signingCa.issue("Hotpatch Signer RSA-2048", TestPki.rsaKeyPair(2048), Profile.HOTPATCH_SIGNING,
                now), intermediate);
        Issued other = TestPki.root("Some Other Root", TestPki.ecKeyPair("secp384r1"), CA);
        otherRoot = other.certificate();
        underOtherRoot = key(other.issue("Signer Under Other Root", TestPki.ecKeyPair(), Profile.HOTPATCH_SIGNING,
                now));
        tsa = key(rootCa.issue("Hotpatch Test TSA", TestPki.ecKeyPair(), Profile.TSA, CA), root);
        tsaUnderOtherRoot = key(other.issue("Untrusted TSA", TestPki.ecKeyPair(), Profile.TSA, CA), otherRoot);
    }

    /** The pinned-root options every test verifies with, at the current time. */
    public VerifyOptions options() {
        return VerifyOptions.pinned(List.of(root));
    }

    /** The issued certificate's key with the chain: its certificate, then {@code issuers}. */
    private static SigningKey key(Issued issued, X509Certificate... issuers) {
        List<X509Certificate> chain = new ArrayList<>(List.of(issued.certificate()));
        chain.addAll(List.of(issuers));
        return new SigningKey(issued.privateKey(), chain, Optional.empty());
    }

    private static KeyPair newRsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
