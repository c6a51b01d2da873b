package dev.hotpatch.signer.verify;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.FailureKind;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.authenticode.DerLimits;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

import java.io.IOException;
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

    /**
     * @param token the token (a ContentInfo) as {@link dev.hotpatch.signer.authenticode.AuthenticodeSignature} read
     *              it, inside a signature whose DER it has bounded already
     */
    public static Result check(ASN1Encodable token, byte[] signatureValue, List<X509Certificate> anchors) {
        List<Failure> problems = new ArrayList<>();
        TimeStampToken tst;
        try {
            tst = parse(token);
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

    /**
     * Reads a time-stamp token (a ContentInfo) whose own DER a {@link DerLimits} walk has bounded already: checks
     * the TSTInfo inside its eContent OCTET STRING, which that walk does not enter, before Bouncy Castle parses it.
     */
    public static TimeStampToken parse(ASN1Encodable token) throws SignatureFormatException, TSPException, IOException {
        ContentInfo info = ContentInfo.getInstance(token);
        ASN1Encodable content = SignedData.getInstance(info.getContent()).getEncapContentInfo().getContent();
        if (!(content instanceof ASN1OctetString octets)) {
            throw new SignatureFormatException("the time-stamp token carries no TSTInfo");
        }
        byte[] tstInfo = octets.getOctets();
        DerLimits.check(tstInfo, 0, tstInfo.length, "the time-stamp token's TSTInfo");
        return new TimeStampToken(info);
    }

    /**
     * Empty when the token's message imprint is an allowed digest ({@link DigestAlgorithm}) of
     * {@code signatureValue}; else a weak_algorithm failure (another digest) or a bad_timestamp one (the imprint is
     * over other data). Signing and verification both ask this of every token.
     */
    public static Optional<Failure> checkImprint(TimeStampTokenInfo info, byte[] signatureValue) {
        Optional<DigestAlgorithm> imprint = DigestAlgorithm.of(info.getMessageImprintAlgOID());
        if (imprint.isEmpty()) {
            return Optional.of(new Failure(FailureKind.WEAK_ALGORITHM, "the time-stamp's message imprint uses "
                    + AlgorithmPolicy.name(info.getMessageImprintAlgOID()) + ", which is not allowed; time-stamp with"
                    + " SHA-256 or SHA-384"));
        }
        if (!MessageDigest.isEqual(imprint.get().digest(signatureValue), info.getMessageImprintDigest())) {
            return Optional.of(new Failure(FailureKind.BAD_TIMESTAMP, "the time-stamp token is for other data (its"
                    + " message imprint is not the " + imprint.get().jcaName() + " of this signature value)"));
        }
        return Optional.empty();
    }

    private static Result checkParsed(TimeStampToken tst, byte[] signatureValue, List<X509Certificate> anchors,
                                      List<Failure> problems) {
        Instant genTime = tst.getTimeStampInfo().getGenTime().toInstant();
        checkImprint(tst.getTimeStampInfo(), signatureValue).ifPresent(f ->
                problems.add(f.kind() == FailureKind.BAD_TIMESTAMP ? bad(f.message()) : f));
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
