package dev.hotpatch.signer.timestamp;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Accepts a time-stamp response only when it answers our request: status granted, our nonce, our imprint, a token
 * signed by the certificate it names, and that certificate is for time-stamping only (RFC 3161 section 2.3). Whether
 * the TSA is trusted is for verification to decide, against its own anchors.
 */
final class TimestampResponseCheck {
    private TimestampResponseCheck() {}

    /** Returns the DER of the token in {@code responseBytes}, or says why it is not a valid answer. */
    static byte[] tokenFor(TimeStampRequest request, byte[] responseBytes) throws TsaFailure {
        TimeStampResponse response = parse(responseBytes);
        int status = response.getStatus();
        if (status != PKIStatus.GRANTED && status != PKIStatus.GRANTED_WITH_MODS) {
            throw new TsaFailure("refused the request (" + describeStatus(response) + ")", false);
        }
        TimeStampToken token = response.getTimeStampToken();
        if (token == null) {
            throw new TsaFailure("granted the request but sent no token", false);
        }
        TimeStampTokenInfo info = token.getTimeStampInfo();
        if (info.getNonce() == null || !info.getNonce().equals(request.getNonce())) {
            throw new TsaFailure("answered with a token for another request (nonce " + info.getNonce()
                    + " instead of " + request.getNonce() + ")", false);
        }
        if (!info.getMessageImprintAlgOID().equals(request.getMessageImprintAlgOID())
                || !Arrays.equals(info.getMessageImprintDigest(), request.getMessageImprintDigest())) {
            throw new TsaFailure("answered with a token over a different message imprint than the signature's "
                    + "digest", false);
        }
        X509CertificateHolder tsaCertificate = signingCertificate(token);
        requireTimeStampingOnly(tsaCertificate);
        try {
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsaCertificate));
        } catch (TSPException | OperatorCreationException | CertificateException | IllegalArgumentException e) {
            throw new TsaFailure("sent a token whose signature does not verify with its certificate "
                    + name(tsaCertificate) + " (" + withoutFinalPeriod(e.getMessage()) + ")", false);
        }
        try {
            return token.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new TsaFailure("sent a token that cannot be encoded as DER (" + e.getMessage() + ")", false);
        }
    }

    /** The subject as RFC 2253 prints it, the way the key loaders name certificates. */
    private static String name(X509CertificateHolder certificate) {
        try {
            return new X500Principal(certificate.getSubject().getEncoded()).getName();
        } catch (IOException | IllegalArgumentException e) {
            return certificate.getSubject().toString();
        }
    }

    private static String withoutFinalPeriod(String message) {
        return message != null && message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static TimeStampResponse parse(byte[] bytes) throws TsaFailure {
        try {
            return new TimeStampResponse(bytes);
        } catch (TSPException | IOException | RuntimeException e) {
            // Bouncy Castle reports some malformed DER as IllegalArgumentException or ClassCastException.
            throw new TsaFailure("answered with " + bytes.length + " bytes that are not a time-stamp response", false);
        }
    }

    private static X509CertificateHolder signingCertificate(TimeStampToken token) throws TsaFailure {
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = token.getCertificates().getMatches(token.getSID());
        if (matches.isEmpty()) {
            throw new TsaFailure("sent a token without its signing certificate, although the request asked for it",
                    false);
        }
        return matches.iterator().next();
    }

    private static void requireTimeStampingOnly(X509CertificateHolder certificate) throws TsaFailure {
        Extension extension = certificate.getExtension(Extension.extendedKeyUsage);
        boolean ok = extension != null && extension.isCritical();
        if (ok) {
            KeyPurposeId[] purposes = ExtendedKeyUsage.getInstance(extension.getParsedValue()).getUsages();
            ok = purposes.length == 1 && purposes[0].equals(KeyPurposeId.id_kp_timeStamping);
        }
        if (!ok) {
            throw new TsaFailure("signs with the certificate " + name(certificate) + ", which is not a "
                    + "time-stamping certificate (RFC 3161 requires the critical extended key usage "
                    + "id-kp-timeStamping and no other)", false);
        }
    }

    private static String describeStatus(TimeStampResponse response) {
        List<String> parts = new ArrayList<>();
        parts.add("status " + statusName(response.getStatus()));
        if (response.getStatusString() != null) {
            parts.add("\"" + response.getStatusString() + "\"");
        }
        PKIFailureInfo failure = response.getFailInfo();
        if (failure != null) {
            parts.add("failure " + failureNames(failure.intValue()));
        }
        return String.join(", ", parts);
    }

    private static String statusName(int status) {
        return switch (status) {
            case PKIStatus.REJECTION -> "rejection";
            case PKIStatus.WAITING -> "waiting";
            case PKIStatus.REVOCATION_WARNING -> "revocationWarning";
            case PKIStatus.REVOCATION_NOTIFICATION -> "revocationNotification";
            default -> String.valueOf(status);
        };
    }

    private static String failureNames(int bits) {
        List<String> names = new ArrayList<>();
        if ((bits & PKIFailureInfo.badAlg) != 0) names.add("badAlg");
        if ((bits & PKIFailureInfo.badRequest) != 0) names.add("badRequest");
        if ((bits & PKIFailureInfo.badDataFormat) != 0) names.add("badDataFormat");
        if ((bits & PKIFailureInfo.timeNotAvailable) != 0) names.add("timeNotAvailable");
        if ((bits & PKIFailureInfo.unacceptedPolicy) != 0) names.add("unacceptedPolicy");
        if ((bits & PKIFailureInfo.unacceptedExtension) != 0) names.add("unacceptedExtension");
        if ((bits & PKIFailureInfo.addInfoNotAvailable) != 0) names.add("addInfoNotAvailable");
        if ((bits & PKIFailureInfo.systemFailure) != 0) names.add("systemFailure");
        return names.isEmpty() ? "0x" + Integer.toHexString(bits) : String.join("+", names);
    }
}
