package dev.hotpatch.signer.verify;

import dev.hotpatch.signer.FailureKind;
import dev.hotpatch.signer.HotpatchOids;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The signer's certificate must allow code signing: id-kp-codeSigning in its extended key usage, our
 * hotpatch-signing EKU when patches are verified, and digitalSignature when it has a key usage extension.
 */
public final class KeyUsageCheck {
    private KeyUsageCheck() {}

    public static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    private static final int DIGITAL_SIGNATURE = 0;

    public static void check(X509Certificate signer, boolean requireHotpatch, Failures out) {
        String subject = signer.getSubjectX500Principal().getName();
        List<String> eku;
        try {
            eku = signer.getExtendedKeyUsage();
        } catch (CertificateParsingException | RuntimeException e) {
            out.add(FailureKind.MISSING_KEY_USAGE, "the extended key usage of " + subject
                    + " cannot be read, so code signing is not allowed for it");
            return;
        }
        if (eku == null || !eku.contains(CODE_SIGNING)) {
            out.add(FailureKind.MISSING_KEY_USAGE, "the certificate " + subject + " does not allow code signing"
                    + " (extended key usage lacks id-kp-codeSigning " + CODE_SIGNING + "); sign with a code-signing certificate");
        }
        String hotpatch = HotpatchOids.HOTPATCH_SIGNING.getId();
        if (requireHotpatch && (eku == null || !eku.contains(hotpatch))) {
            out.add(FailureKind.MISSING_KEY_USAGE, "the certificate " + subject + " is not issued for hotpatch"
                    + " signing (extended key usage lacks " + hotpatch + "); sign with a hotpatch-signing certificate");
        }
        boolean[] usage = signer.getKeyUsage();
        if (usage != null && (usage.length <= DIGITAL_SIGNATURE || !usage[DIGITAL_SIGNATURE])) {
            out.add(FailureKind.MISSING_KEY_USAGE, "the key usage of " + subject + " lacks digitalSignature,"
                    + " so its key may not sign");
        }
    }
}
