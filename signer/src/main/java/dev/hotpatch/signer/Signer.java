package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.SignatureScheme;
import dev.hotpatch.signer.keys.SigningKey;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;

/**
 * Signs PE images with Authenticode: PKCS#7 SignedData over SpcIndirectDataContent, embedded as the last thing
 * in the file, replacing any signature the file had. The three steps are those of {@link DetachedSigning}, with
 * the key at hand in between.
 */
public final class Signer {
    private Signer() {}

    /** Signs an image held in memory and returns the signed image. */
    public static byte[] sign(byte[] pe, SigningKey key, SignOptions options) throws SignerException {
        return sign(pe, "the image", key, options);
    }

    /** Signs {@code in} and writes the signed image to {@code out} atomically ({@code out} may be {@code in}). */
    public static void signFile(Path in, Path out, SigningKey key, SignOptions options) throws SignerException {
        byte[] signed = sign(ImageFiles.read(in), in.toString(), key, options);
        ImageFiles.write(out, signed);
    }

    private static byte[] sign(byte[] pe, String name, SigningKey key, SignOptions options) throws SignerException {
        SigningSteps.Draft draft = SigningSteps.draft(SigningSteps.prepare(pe, name), key.certificate(), options);
        SigningRequest request = draft.request();
        byte[] signature = signRaw(key, new SignatureScheme(request.keyAlgorithm(), request.digest()),
                request.signedAttributes());
        return SigningSteps.finish(draft, signature, key.chain(), options.timestamper());
    }

    private static byte[] signRaw(SigningKey key, SignatureScheme scheme, byte[] data) throws SignerException {
        try {
            Signature s;
            if (key.provider().isPresent()) {
                s = Signature.getInstance(scheme.jcaName(), key.provider().get());
            } else if (scheme.isEc() && key.privateKey() instanceof ECPrivateKey) {
                // Deterministic ECDSA (RFC 6979): same file, same key, same bytes.
                s = Signature.getInstance(scheme.digest().shortName() + "withECDDSA", BouncyCastle.provider());
            } else {
                s = Signature.getInstance(scheme.jcaName());
            }
            s.initSign(key.privateKey());
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException | ProviderException e) {
            throw new SignerException("the key of " + key.certificate().getSubjectX500Principal().getName()
                    + " cannot sign with " + scheme.jcaName() + ": " + e.getMessage()
                    + "; check that the key and its provider (token) match the certificate", e);
        }
    }
}
