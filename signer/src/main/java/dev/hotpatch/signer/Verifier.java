package dev.hotpatch.signer;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.authenticode.AuthenticodeOids;
import dev.hotpatch.signer.authenticode.AuthenticodeSignature;
import dev.hotpatch.signer.authenticode.Digests;
import dev.hotpatch.signer.authenticode.PeDigest;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureContainer;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import dev.hotpatch.signer.authenticode.SignatureScheme;
import dev.hotpatch.signer.verify.ChainValidator;
import dev.hotpatch.signer.verify.Failures;
import dev.hotpatch.signer.verify.KeyUsageCheck;
import dev.hotpatch.signer.verify.TimestampCheck;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Verifies the Authenticode signature of a PE image strictly enough for an apply engine to trust it, and
 * answers with every failure found rather than a yes or no. In order: the CheckSum, the container (exactly one WIN_CERTIFICATE,
 * last in the file), the CMS structure, the algorithms, the image digest and the messageDigest, the signature,
 * an RFC 3161 time-stamp, the chain to the pinned anchors (PKIX, revocation not checked) at the time-stamp's time
 * or the verification clock, and the signer's key usages. Each check runs even when an earlier one failed, as
 * far as the signature can be read.
 */
public final class Verifier {
    private Verifier() {}

    /**
     * How the failure for a runtime exception inside verification begins (a bug, reported as malformed_signature so
     * that the image is still refused); tests look for it at the start of a message, where no input's text can be.
     */
    public static final String UNEXPECTED_ERROR = "verification stopped on an unexpected error";

    /** Verifies an image held in memory; never throws on any input. */
    public static VerificationReport verify(byte[] pe, VerifyOptions options) {
        Failures failures = new Failures();
        Optional<SignatureDetails> details = Optional.empty();
        try {
            details = run(pe, options, failures);
        } catch (RuntimeException e) {
            failures.add(FailureKind.MALFORMED_SIGNATURE, UNEXPECTED_ERROR + " ("
                    + e.getClass().getName() + ": " + e.getMessage() + "); the image cannot be trusted, and this is a"
                    + " bug to report");
        }
        return new VerificationReport(failures.all(), details);
    }

    /** Verifies a file; throws only when it cannot be read. */
    public static VerificationReport verifyFile(Path file, VerifyOptions options) throws SignerException {
        return verify(ImageFiles.read(file), options);
    }

    private static Optional<SignatureDetails> run(byte[] pe, VerifyOptions options, Failures failures) {
        PeLayout layout;
        try {
            layout = PeLayout.read(pe);
        } catch (PeFormatException e) {
            failures.add(FailureKind.MALFORMED_IMAGE, "the image's headers cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        checkChecksum(pe, layout, failures);
        if (!layout.signed()) {
            failures.add(FailureKind.NOT_SIGNED, "the image is not signed (its certificate table directory entry is"
                    + " empty); sign it before applying it");
            return Optional.empty();
        }
        AuthenticodeSignature sig;
        try {
            SignatureContainer container = SignatureContainer.read(pe, layout);
            container.problems().forEach(p -> failures.add(FailureKind.MALFORMED_SIGNATURE, p));
            sig = AuthenticodeSignature.parse(container.signature());
        } catch (SignatureFormatException e) {
            failures.add(FailureKind.MALFORMED_SIGNATURE, e.getMessage());
            return Optional.empty();
        }
        sig.problems().forEach(p -> failures.add(FailureKind.MALFORMED_SIGNATURE, p));
        if (!AuthenticodeOids.SPC_INDIRECT_DATA.equals(sig.contentType())) {
            failures.add(FailureKind.MALFORMED_SIGNATURE, "the contentType signed attribute is " + sig.contentType()
                    + " instead of SPC_INDIRECT_DATA");
        }
        String imageDigest = checkDigests(pe, layout, sig, failures);
        Optional<X509Certificate> signer = signerCertificate(sig);
        if (signer.isEmpty()) {
            failures.add(FailureKind.MALFORMED_SIGNATURE, "the signer's certificate (issuer "
                    + sig.signerIssuer().getName() + ", serial " + sig.signerSerial().toString(16)
                    + ") is not among the signature's certificates; sign again with the whole chain");
            return Optional.empty();
        }
        X509Certificate leaf = signer.get();
        checkSignature(sig, leaf, failures);

        Optional<Instant> timestamp = Optional.empty();
        Optional<String> authority = Optional.empty();
        if (sig.timestampToken().isPresent()) {
            TimestampCheck.Result ts = TimestampCheck.check(sig.timestampToken().get(), sig.signature(),
                    options.anchors());
            ts.problems().forEach(f -> failures.add(f.kind(), f.message()));
            timestamp = ts.time();
            authority = ts.authority();
        }
        Instant at = timestamp.orElseGet(() -> options.clock().instant());
        ChainValidator.Result chain = ChainValidator.validate(leaf, sig.certificates(), options.anchors(), at,
                timestamp.isPresent() ? "the time-stamp's time" : "the verification clock; the signature has no"
                        + " trusted time-stamp");
        chain.problems().forEach(f -> failures.add(f.kind(), f.message()));
        KeyUsageCheck.check(leaf, options.requireHotpatchUsage(), failures);
        return Optional.of(new SignatureDetails(leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(), leaf.getSerialNumber().toString(16),
                AlgorithmPolicy.name(sig.content().digestAlgorithm()),
                AlgorithmPolicy.name(sig.signatureAlgorithm().getAlgorithm()), imageDigest, chain.subjects(),
                timestamp, authority, at));
    }

    private static void checkChecksum(byte[] pe, PeLayout layout, Failures failures) {
        int at = layout.checksumOffset();
        long stored = Integer.toUnsignedLong(ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN).getInt(at));
        if ((at & 1) != 0) {
            failures.add(FailureKind.BAD_CHECKSUM, "the optional header's CheckSum sits at the odd offset 0x"
                    + Integer.toHexString(at) + ", where no checksum can be computed");
            return;
        }
        long actual = PeChecksum.compute(pe, at);
        if (stored != actual) {
            failures.add(FailureKind.BAD_CHECKSUM, "optional_header.checksum at 0x" + Integer.toHexString(at)
                    + ": expected 0x" + Long.toHexString(actual) + " (the file's checksum), found 0x"
                    + Long.toHexString(stored) + "; the file was changed after it was signed");
        }
    }

    /** Checks both digests; returns the recomputed image digest in hex, or "" when its algorithm is unknown. */
    private static String checkDigests(byte[] pe, PeLayout layout, AuthenticodeSignature sig, Failures failures) {
        AlgorithmPolicy.checkDigest(sig.content().digestAlgorithm(), "the image digest (SpcIndirectDataContent)")
                .ifPresent(m -> failures.add(FailureKind.WEAK_ALGORITHM, m));
        if (!sig.digestAlgorithm().equals(sig.content().digestAlgorithm())) {
            AlgorithmPolicy.checkDigest(sig.digestAlgorithm(), "the SignerInfo's digest")
                    .ifPresent(m -> failures.add(FailureKind.WEAK_ALGORITHM, m));
        }
        String computedHex = "";
        Optional<MessageDigest> imageMd = Digests.forOid(sig.content().digestAlgorithm());
        if (imageMd.isPresent()) {
            // The table lies inside the file: SignatureContainer.read checked it before the signature was parsed.
            byte[] computed = PeDigest.compute(pe, (int) layout.certificateTableOffset(), layout, imageMd.get());
            computedHex = HexFormat.of().formatHex(computed);
            if (!MessageDigest.isEqual(computed, sig.content().imageDigest())) {
                failures.add(FailureKind.BAD_DIGEST, "the image's Authenticode digest (" + computedHex
                        + ") differs from the signed one (" + HexFormat.of().formatHex(sig.content().imageDigest())
                        + "); the image was changed after it was signed");
            }
        }
        Optional<MessageDigest> attrMd = Digests.forOid(sig.digestAlgorithm());
        if (attrMd.isPresent() && !MessageDigest.isEqual(attrMd.get().digest(sig.content().contentOctets()),
                sig.messageDigest())) {
            failures.add(FailureKind.BAD_DIGEST, "the messageDigest signed attribute does not match the"
                    + " SpcIndirectDataContent; the signed content was changed after signing");
        }
        if (imageMd.isEmpty() || attrMd.isEmpty()) {
            failures.add(FailureKind.WEAK_ALGORITHM, "a digest of the signature ("
                    + AlgorithmPolicy.name(imageMd.isEmpty() ? sig.content().digestAlgorithm() : sig.digestAlgorithm())
                    + ") is not one the verifier computes, so the image digest was not checked");
        }
        return computedHex;
    }

    private static Optional<X509Certificate> signerCertificate(AuthenticodeSignature sig) {
        for (X509Certificate c : sig.certificates()) {
            if (c.getSerialNumber().equals(sig.signerSerial()) && c.getIssuerX500Principal().equals(sig.signerIssuer())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static void checkSignature(AuthenticodeSignature sig, X509Certificate leaf, Failures failures) {
        String subject = leaf.getSubjectX500Principal().getName();
        AlgorithmPolicy.checkKey(leaf.getPublicKey(), "the signer " + subject)
                .ifPresent(m -> failures.add(FailureKind.WEAK_ALGORITHM, m));
        Optional<DigestAlgorithm> digest = DigestAlgorithm.of(sig.digestAlgorithm());
        if (digest.isEmpty()) {
            return; // reported as a weak algorithm; a signature over a broken digest proves nothing
        }
        Optional<SignatureScheme> scheme = SignatureScheme.of(sig.signatureAlgorithm().getAlgorithm(), digest.get());
        if (scheme.isEmpty()) {
            failures.add(FailureKind.WEAK_ALGORITHM, "the signature algorithm "
                    + AlgorithmPolicy.name(sig.signatureAlgorithm().getAlgorithm()) + " with "
                    + digest.get().jcaName() + " is not allowed; sign with RSA PKCS#1 v1.5 or ECDSA");
            return;
        }
        SignatureScheme expected = SignatureScheme.forKey(leaf.getPublicKey(), digest.get());
        if (!expected.equals(scheme.get())) {
            failures.add(FailureKind.BAD_SIGNATURE, "the signature is declared as " + scheme.get().jcaName()
                    + " but the signer " + subject + " has a " + leaf.getPublicKey().getAlgorithm() + " key");
            return;
        }
        if (!scheme.get().verifies(leaf.getPublicKey(), sig.signedAttributes(), sig.signature())) {
            failures.add(FailureKind.BAD_SIGNATURE, "the signature over the signed attributes does not verify with"
                    + " the key of " + subject + "; the signature was altered or made with another key");
        }
    }
}
