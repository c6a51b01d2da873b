package dev.hotpatch.signer.authenticode;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Builds the signed attributes of an Authenticode SignerInfo: contentType (SPC_INDIRECT_DATA), messageDigest
 * (over the SpcIndirectDataContent's content octets), SpcSpOpusInfo, SpcStatementType (individual code signing)
 * and, only when the caller gives a time, signingTime. The result is the DER of the SET OF Attribute: the exact
 * bytes the signature covers.
 */
public final class SignedAttributes {
    private SignedAttributes() {}

    public static byte[] build(byte[] messageDigest, Optional<String> programName, Optional<String> url,
                               Optional<Instant> signingTime) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(attribute(CMSAttributes.contentType, AuthenticodeOids.SPC_INDIRECT_DATA));
        v.add(attribute(CMSAttributes.messageDigest, new DEROctetString(messageDigest)));
        signingTime.ifPresent(t -> v.add(attribute(CMSAttributes.signingTime, new Time(Date.from(t)))));
        v.add(attribute(AuthenticodeOids.SPC_SP_OPUS_INFO, opusInfo(programName, url)));
        v.add(attribute(AuthenticodeOids.SPC_STATEMENT_TYPE,
                new DERSequence(AuthenticodeOids.SPC_INDIVIDUAL_SP_KEY_PURPOSE)));
        try {
            return new DERSet(v).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding to memory does not fail", e);
        }
    }

    /** SpcSpOpusInfo ::= SEQUENCE { programName [0] EXPLICIT SpcString OPTIONAL, moreInfo [1] EXPLICIT SpcLink OPTIONAL }. */
    private static DERSequence opusInfo(Optional<String> programName, Optional<String> url) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        programName.ifPresent(n -> v.add(new DERTaggedObject(true, 0,
                new DERTaggedObject(false, 0, new DERBMPString(n)))));
        url.ifPresent(u -> v.add(new DERTaggedObject(true, 1, new DERTaggedObject(false, 0, new DERIA5String(u)))));
        return new DERSequence(v);
    }

    private static Attribute attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        return new Attribute(type, new DERSet(value));
    }
}
