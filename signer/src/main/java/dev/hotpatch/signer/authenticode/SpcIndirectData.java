package dev.hotpatch.signer.authenticode;

import dev.hotpatch.signer.DigestAlgorithm;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * SpcIndirectDataContent for a PE image: what the SignedData encapsulates.
 *
 * <pre>
 * SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
 * SpcAttributeTypeAndOptionalValue ::= SEQUENCE { type SPC_PE_IMAGE_DATAOBJ, value SpcPeImageData }
 * SpcPeImageData ::= SEQUENCE { flags BIT STRING, file [0] EXPLICIT SpcLink }
 * SpcLink (file) ::= [2] EXPLICIT SpcString; SpcString (unicode) ::= [0] IMPLICIT BMPString
 * DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
 * </pre>
 *
 * @param digestAlgorithm the DigestInfo's algorithm (any OID: the verifier reports disallowed ones)
 * @param imageDigest     the Authenticode digest of the image
 * @param sequence        the SEQUENCE itself, as built or parsed: the SignedData's encapsulated content
 * @param contentOctets   the DER of the SEQUENCE without its tag and length: what the PKCS#9 messageDigest covers
 */
public record SpcIndirectData(ASN1ObjectIdentifier digestAlgorithm, byte[] imageDigest, ASN1Sequence sequence,
                              byte[] contentOctets) {

    /** The link every tool writes in SpcPeImageData: a file name of "<<<Obsolete>>>". */
    private static final String OBSOLETE = "<<<Obsolete>>>";

    /** The structure for an image digest, with its content octets. */
    public static SpcIndirectData of(DigestAlgorithm algorithm, byte[] imageDigest) {
        ASN1Sequence content = build(algorithm, imageDigest);
        try {
            return new SpcIndirectData(algorithm.oid(), imageDigest.clone(), content,
                    contentOctets(content.getEncoded(ASN1Encoding.DER)));
        } catch (IOException e) {
            throw new UncheckedIOException("encoding to memory does not fail", e);
        }
    }

    private static ASN1Sequence build(DigestAlgorithm algorithm, byte[] imageDigest) {
        DERSequence peImageData = new DERSequence(new ASN1Encodable[] {
                new DERBitString(new byte[0]),
                new DERTaggedObject(true, 0, new DERTaggedObject(true, 2,
                        new DERTaggedObject(false, 0, new DERBMPString(OBSOLETE))))});
        DERSequence data = new DERSequence(new ASN1Encodable[] {AuthenticodeOids.SPC_PE_IMAGE_DATA, peImageData});
        DERSequence digestInfo = new DERSequence(new ASN1Encodable[] {
                new AlgorithmIdentifier(algorithm.oid(), DERNull.INSTANCE), new DEROctetString(imageDigest)});
        return new DERSequence(new ASN1Encodable[] {data, digestInfo});
    }

    /**
     * Reads the encapsulated content of a SignedData. The content octets come from the encoding as parsed (the
     * DL encoding keeps the signer's element order), so they are the bytes the signer hashed.
     */
    public static SpcIndirectData parse(ASN1Encodable content) throws SignatureFormatException {
        ASN1Sequence seq = asSequence(content, "SpcIndirectDataContent");
        if (seq.size() != 2) {
            throw new SignatureFormatException("SpcIndirectDataContent has " + seq.size()
                    + " elements instead of 2 (data, messageDigest)");
        }
        ASN1Sequence data = asSequence(seq.getObjectAt(0), "SpcIndirectDataContent.data");
        if (data.size() < 1 || !(data.getObjectAt(0) instanceof ASN1ObjectIdentifier type)) {
            throw new SignatureFormatException("SpcIndirectDataContent.data does not start with a type identifier");
        }
        if (!AuthenticodeOids.SPC_PE_IMAGE_DATA.equals(type)) {
            throw new SignatureFormatException("SpcIndirectDataContent.data.type is " + type
                    + " instead of SPC_PE_IMAGE_DATA (" + AuthenticodeOids.SPC_PE_IMAGE_DATA
                    + "): the signature is not for a PE image");
        }
        ASN1Sequence digestInfo = asSequence(seq.getObjectAt(1), "SpcIndirectDataContent.messageDigest");
        if (digestInfo.size() != 2 || !(digestInfo.getObjectAt(1) instanceof ASN1OctetString digest)) {
            throw new SignatureFormatException("SpcIndirectDataContent.messageDigest is not a DigestInfo"
                    + " (algorithm, OCTET STRING)");
        }
        AlgorithmIdentifier alg = AlgorithmIdentifier.getInstance(digestInfo.getObjectAt(0));
        try {
            byte[] encoded = seq.getEncoded(ASN1Encoding.DL);
            return new SpcIndirectData(alg.getAlgorithm(), digest.getOctets(), seq, contentOctets(encoded));
        } catch (IOException e) {
            throw new SignatureFormatException("SpcIndirectDataContent cannot be encoded again: " + e.getMessage());
        }
    }

    /** The encoding of a SEQUENCE without its tag and length bytes. */
    private static byte[] contentOctets(byte[] encoded) {
        int first = encoded[1] & 0xFF;
        int header = first < 0x80 ? 2 : 2 + (first & 0x7F);
        byte[] out = new byte[encoded.length - header];
        System.arraycopy(encoded, header, out, 0, out.length);
        return out;
    }

    private static ASN1Sequence asSequence(ASN1Encodable e, String what) throws SignatureFormatException {
        if (e != null && e.toASN1Primitive() instanceof ASN1Sequence s) {
            return s;
        }
        throw new SignatureFormatException(what + " is not a SEQUENCE");
    }
}
