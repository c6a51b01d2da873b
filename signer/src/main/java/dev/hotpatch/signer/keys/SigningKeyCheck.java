package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.verify.Failures;
import dev.hotpatch.signer.verify.KeyUsageCheck;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

/**
 * Refuses a signing key when it is loaded whose signature a verifier would refuse anyway: a certificate that is
 * expired or not yet valid, or that lacks the key usages verification requires. Checking before the work (a diff
 * of an 80 MB pair takes seconds) saves the user a run that cannot succeed.
 */
public final class SigningKeyCheck {
    private SigningKeyCheck() {}

    /**
     * @param forPatches whether the key will sign a patch image, so that the hotpatch-signing key usage is needed
     *                   as well as code signing
     */
    public static void requireUsable(SigningKey key, Instant now, boolean forPatches) throws SignerException {
        requireUsable(key.certificate(), now, forPatches);
    }

    /** {@link #requireUsable(SigningKey, Instant, boolean)} for a signer known only by its certificate. */
    public static void requireUsable(X509Certificate leaf, Instant now, boolean forPatches) throws SignerException {
        String subject = leaf.getSubjectX500Principal().getName();
        Date at = Date.from(now);
        if (at.after(leaf.getNotAfter())) {
            throw new SignerException("the signing certificate " + subject + " expired on "
                    + leaf.getNotAfter().toInstant() + "; sign with a certificate that is valid now");
        }
        if (at.before(leaf.getNotBefore())) {
            throw new SignerException("the signing certificate " + subject + " is not valid before "
                    + leaf.getNotBefore().toInstant() + "; sign with a certificate that is valid now");
        }
        Failures failures = new Failures();
        KeyUsageCheck.check(leaf, forPatches, failures);
        for (Failure f : failures.all()) {
            throw new SignerException(f.message());
        }
    }
}
