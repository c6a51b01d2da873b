package dev.hotpatch.signer;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * Object identifiers of our own. We hold no registered arc, so ours live under {@code 2.25}, the arc of
 * ITU-T X.667 / ISO/IEC 9834-8 where any UUID, written as one decimal integer, is an OID that needs no
 * registration. The UUID below was generated once for this project and must never change: certificates issued
 * for patch signing carry it.
 */
public final class HotpatchOids {
    private HotpatchOids() {}

    /** UUID a2b6f931-164d-4731-bb69-4ca4a8cf1113 as an integer. */
    private static final String ARC = "2.25.216284987554483076213292469589271056659";

    /**
     * The hotpatch-signing extended key usage. Verification requires it in addition to id-kp-codeSigning
     * (1.3.6.1.5.5.7.3.3), so that an ordinary code-signing certificate cannot sign patches.
     */
    public static final ASN1ObjectIdentifier HOTPATCH_SIGNING = new ASN1ObjectIdentifier(ARC + ".1");
}
