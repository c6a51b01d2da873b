package dev.hotpatch.signer.verify;

import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.FailureKind;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.keys.CertificateChains;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the path from a certificate to one of the pinned anchors among the certificates a signature carries, then
 * validates it with the JDK's PKIX {@link CertPathValidator} against those anchors only (never the JVM's
 * cacerts), with revocation checking off. Time validity is checked per certificate first, so that an expired
 * certificate and an untrusted chain are both reported; PKIX then runs at a time when every certificate of the
 * path is valid, to judge the chain alone.
 */
public final class ChainValidator {
    private ChainValidator() {}

    /** Longer paths than any code-signing hierarchy has. */
    public static final int MAX_PATH = 8;

    /**
     * @param subjects the subjects from the signer up the path found, and the pinned anchor it leads to, if any
     * @param problems failures of kind untrusted_chain, certificate_expired, certificate_not_yet_valid and
     *                 weak_algorithm (a certificate signed with SHA-1 or MD5)
     */
    public record Result(List<String> subjects, List<Failure> problems) {}

    /**
     * @param timeSource says where {@code at} comes from, for messages ("the time-stamp's time")
     */
    public static Result validate(X509Certificate leaf, List<X509Certificate> pool, List<X509Certificate> anchors,
                                  Instant at, String timeSource) {
        List<Failure> problems = new ArrayList<>();
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate anchor = null;
        X509Certificate current = leaf;
        while (path.size() < MAX_PATH) {
            if (anchors.contains(current)) {
                anchor = current;
                break;
            }
            path.add(current);
            anchor = issuer(current, anchors, List.of());
            if (anchor != null) {
                break;
            }
            X509Certificate next = issuer(current, pool, path);
            if (next == null) {
                break;
            }
            current = next;
        }
        String leafName = leaf.getSubjectX500Principal().getName();
        if (anchor == null) {
            X509Certificate top = path.get(path.size() - 1);
            problems.add(new Failure(FailureKind.UNTRUSTED_CHAIN, "the chain of " + leafName + " ends at "
                    + top.getSubjectX500Principal().getName() + " (issued by " + top.getIssuerX500Principal().getName()
                    + "), which no pinned trust anchor (" + names(anchors) + ") issues; sign with a certificate"
                    + " issued under the pinned root, or pin the right root"));
        }
        for (X509Certificate c : path) {
            Optional<String> weak = AlgorithmPolicy.checkCertificateSignature(
                    new ASN1ObjectIdentifier(c.getSigAlgOID()), c.getSubjectX500Principal().getName());
            weak.ifPresent(m -> problems.add(new Failure(FailureKind.WEAK_ALGORITHM, m)));
        }
        boolean timeProblem = checkTimes(path.isEmpty() ? List.of(leaf) : path, at, timeSource, problems);
        if (anchor != null && !path.isEmpty()) {
            pkix(path, anchor, timeProblem ? commonValidity(path).orElse(at) : at, problems);
        }
        List<String> subjects = new ArrayList<>();
        path.forEach(c -> subjects.add(c.getSubjectX500Principal().getName()));
        if (anchor != null) {
            subjects.add(anchor.getSubjectX500Principal().getName());
        }
        return new Result(List.copyOf(subjects), List.copyOf(problems));
    }

    private static X509Certificate issuer(X509Certificate child, List<X509Certificate> candidates,
                                          List<X509Certificate> exclude) {
        for (X509Certificate c : candidates) {
            if (!exclude.contains(c) && CertificateChains.issued(c, child)) {
                return c;
            }
        }
        return null;
    }

    private static boolean checkTimes(List<X509Certificate> path, Instant at, String timeSource, List<Failure> out) {
        boolean any = false;
        for (X509Certificate c : path) {
            String name = c.getSubjectX500Principal().getName();
            try {
                c.checkValidity(Date.from(at));
            } catch (CertificateExpiredException e) {
                any = true;
                out.add(new Failure(FailureKind.CERTIFICATE_EXPIRED, "the certificate " + name + " expired at "
                        + c.getNotAfter().toInstant() + ", before " + at + " (" + timeSource
                        + "); renew it and sign again, with a time-stamp so that signatures outlive certificates"));
            } catch (CertificateNotYetValidException e) {
                any = true;
                out.add(new Failure(FailureKind.CERTIFICATE_NOT_YET_VALID, "the certificate " + name
                        + " is valid only from " + c.getNotBefore().toInstant() + ", after " + at + " (" + timeSource
                        + "); check the signing machine's clock and the verification clock"));
            }
        }
        return any;
    }

    /** A time when every certificate of the path is valid, if there is one. */
    private static Optional<Instant> commonValidity(List<X509Certificate> path) {
        Instant from = Instant.MIN;
        Instant to = Instant.MAX;
        for (X509Certificate c : path) {
            from = from.isAfter(c.getNotBefore().toInstant()) ? from : c.getNotBefore().toInstant();
            to = to.isBefore(c.getNotAfter().toInstant()) ? to : c.getNotAfter().toInstant();
        }
        return from.isAfter(to) ? Optional.empty() : Optional.of(from);
    }

    private static void pkix(List<X509Certificate> path, X509Certificate anchor, Instant at, List<Failure> out) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return; // reported per certificate already
            }
            String which = e.getIndex() >= 0 && e.getIndex() < path.size()
                    ? " at " + path.get(e.getIndex()).getSubjectX500Principal().getName() : "";
            out.add(new Failure(FailureKind.UNTRUSTED_CHAIN, "the chain of "
                    + path.get(0).getSubjectX500Principal().getName() + " does not validate under the pinned anchor "
                    + anchor.getSubjectX500Principal().getName() + which + ": " + e.getMessage()));
        } catch (GeneralSecurityException | RuntimeException e) {
            out.add(new Failure(FailureKind.UNTRUSTED_CHAIN, "the chain of "
                    + path.get(0).getSubjectX500Principal().getName() + " cannot be validated: " + e.getMessage()));
        }
    }

    private static String names(List<X509Certificate> anchors) {
        Set<String> out = new HashSet<>();
        anchors.forEach(a -> out.add(a.getSubjectX500Principal().getName()));
        return String.join("; ", out);
    }
}
