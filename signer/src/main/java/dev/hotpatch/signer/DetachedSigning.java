package dev.hotpatch.signer;

import dev.hotpatch.signer.timestamp.Timestamper;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Signing in two steps around an external signer (an HSM, a signing service, {@code openssl pkeyutl}):
 * {@link #export} says what to sign, the external signer produces the raw signature value over
 * {@link SigningRequest#signedAttributes()} (PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC, with the request's
 * digest), and {@link #attach} embeds it with the chain. The result is the same structure {@link Signer} writes.
 */
public final class DetachedSigning {
    private DetachedSigning() {}

    /**
     * Step 1: the signing request for {@code pe} and the signer whose certificate starts {@code chain}. The
     * options' time-stamper is not used here (it needs the signature value); pass it to {@link #attach}.
     */
    public static SigningRequest export(byte[] pe, List<X509Certificate> chain, SignOptions options)
            throws SignerException {
        if (chain.isEmpty()) {
            throw new SignerException("the certificate chain is empty; pass the signer's certificate first");
        }
        return SigningSteps.draft(SigningSteps.prepare(pe, "the image"), chain.get(0), options).request();
    }

    /** Step 1 on files: writes the request for {@code image} to {@code requestFile}. */
    public static SigningRequest exportFile(Path image, List<X509Certificate> chain, SignOptions options,
                                            Path requestFile) throws SignerException {
        SigningRequest request = export(ImageFiles.read(image), chain, options);
        request.write(requestFile);
        return request;
    }

    /**
     * Step 3: embeds {@code signature} (the raw value over the request's signed attributes) into {@code pe}, which
     * must be the image the request was exported from. The signature is checked against the certificate first.
     */
    public static byte[] attach(byte[] pe, SigningRequest request, byte[] signature, List<X509Certificate> chain,
                                Optional<Timestamper> timestamper) throws SignerException {
        return attach(SigningSteps.prepare(pe, "the image"), request, signature, chain, timestamper);
    }

    /** Step 3 on files: reads the image and the request, writes the signed image to {@code out} atomically. */
    public static void attachFile(Path image, Path requestFile, byte[] signature, List<X509Certificate> chain,
                                  Optional<Timestamper> timestamper, Path out) throws SignerException {
        SigningRequest request = SigningRequest.read(requestFile);
        byte[] pe = ImageFiles.read(image);
        ImageFiles.write(out, attach(SigningSteps.prepare(pe, image.toString()), request, signature, chain,
                timestamper));
    }

    private static byte[] attach(SigningSteps.PreparedImage image, SigningRequest request, byte[] signature,
                                 List<X509Certificate> chain, Optional<Timestamper> timestamper)
            throws SignerException {
        return SigningSteps.finish(SigningSteps.check(image, request, chain), signature, chain, timestamper);
    }
}
