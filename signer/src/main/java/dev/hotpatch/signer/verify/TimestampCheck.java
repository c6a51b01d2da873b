package dev.hotpatch.signer.verify;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.FailureKind;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.authenticode.DerLimits;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampToken;

import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Checks the RFC 3161 time-stamp token of an Authenticode signature: it must parse, its message imprint must be
 * the digest of this signature value with SHA-256 or SHA-384, the TSA's signature over it must verify (Bouncy
 * Castle also checks the ESS signing-certificate binding and the TSA certificate's validity at the time-stamp),
 * the TSA certificate must carry id-kp-timeStamping, and its chain must lead to a pinned anchor at the
 * time-stamp's time. Only then is the time trusted.
 */
public final class TimestampCheck {
    private TimestampCheck() {}

    public static final String TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
    private static final int MAX_CERTIFICATES = 16;

    /**
     * @param time      the token's genTime, present only when every check passed
     * @param authority the TSA certificate's subject, when the token was readable
     * @param problems  bad_timestamp failures (a weak imprint digest is weak_algorithm)
     */
    public record Result(Optional<Instant> time, Optional<String> authority, List<Failure> problems) {}

    public static Result check(byte[] token, byte[] signatureValue, List<X509Certificate> anchors) {
        List<Failure> problems = new ArrayList<>();
        TimeStampToken tst;
        try {
            DerLimits.check(token, 0, token.length, "the time-stamp token");
            tst = new TimeStampToken(ContentInfo.getInstance(token));
            byte[] tstInfo = (byte[]) tst.toCMSSignedData().getSignedContent().getContent();
            DerLimits.check(tstInfo, 0, tstInfo.length, "the time-stamp token's TSTInfo");
        } catch (Exception e) {
            // Bouncy Castle reports malformed tokens with checked and unchecked exceptions alike.
            problems.add(bad("the time-stamp token cannot be parsed (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
            return new Result(Optional.empty(), Optional.empty(), problems);
        }
        try {
            return checkParsed(tst, signatureValue, anchors, problems);
        } catch (RuntimeException e) {
            problems.add(bad("the time-stamp token cannot be checked (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
            return new Result(Optional.empty(), Optional.empty(), problems);
        }
    }

    private static Result checkParsed(TimeStampToken tst, byte[] signatureValue, List<X509Certificate> anchors,
                                      List<Failure> problems) {
        Instant genTime = tst.getTimeStampInfo().getGenTime().toInstant();
        var imprintOid = tst.getTimeStampInfo().getMessageImprintAlgOID();
        Optional<DigestAlgorithm> imprint = DigestAlgorithm.of(imprintOid);
        if (imprint.isEmpty()) {
            problems.add(new Failure(FailureKind.WEAK_ALGORITHM, "the time-stamp's message imprint uses "
                    + AlgorithmPolicy.name(imprintOid) + ", which is not allowed; time-stamp with SHA-256 or SHA-384"));
        } else if (!MessageDigest.isEqual(imprint.get().digest(signatureValue),
                tst.getTimeStampInfo().getMessageImprintDigest())) {
            problems.add(bad("the time-stamp token is for other data (its message imprint is not the "
                    + imprint.get().jcaName() + " of this signature value)"));
        }
        List<X509Certificate> certificates = certificates(tst);
        X509Certificate tsa = null;
        for (X509Certificate c : certificates) {
            if (tst.getSID().match(holder(c))) {
                tsa = c;
            }
        }
        if (tsa == null) {
            problems.add(bad("the time-stamp token does not carry its TSA's certificate"));
            return new Result(Optional.empty(), Optional.empty(), problems);
        }
        String authority = tsa.getSubjectX500Principal().getName();
        try {
            tst.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsa));
        } catch (Exception e) {
            problems.add(bad("the time-stamp by " + authority + " does not verify: " + e.getMessage()));
        }
        SignerInformation si = tst.toCMSSignedData().getSignerInfos().getSigners().iterator().next();
        AlgorithmPolicy.checkDigest(si.getDigestAlgorithmID().getAlgorithm(), "the time-stamp's signature")
                .ifPresent(m -> problems.add(new Failure(FailureKind.WEAK_ALGORITHM, m)));
        List<String> eku;
        try {
            eku = tsa.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            eku = null;
        }
        if (eku == null || !eku.contains(TIME_STAMPING)) {
            problems.add(bad("the TSA certificate " + authority + " does not allow time-stamping (id-kp-timeStamping "
                    + TIME_STAMPING + " is missing)"));
        }
        ChainValidator.Result chain = ChainValidator.validate(tsa, certificates, anchors, genTime,
                "the time-stamp's time");
        for (Failure f : chain.problems()) {
            problems.add(bad("the TSA's chain fails: " + f.message()));
        }
        return new Result(problems.isEmpty() ? Optional.of(genTime) : Optional.empty(), Optional.of(authority),
                problems);
    }

    private static List<X509Certificate> certificates(TimeStampToken tst) {
        Collection<X509CertificateHolder> holders = tst.getCertificates().getMatches(null);
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder h : holders) {
            if (out.size() == MAX_CERTIFICATES) {
                break;
            }
            try {
                out.add(converter.getCertificate(h));
            } catch (Exception e) {
                // an unreadable extra certificate cannot help the chain; the TSA's own is required below
            }
        }
        return out;
    }

    private static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException("a parsed certificate encodes again", e);
        }
    }

    private static Failure bad(String message) {
        return new Failure(FailureKind.BAD_TIMESTAMP, message + "; the signing time cannot be trusted, so certificates"
                + " are checked at the verification clock");
    }
}
