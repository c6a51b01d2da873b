package dev.hotpatch.signer.authenticode;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Assembles the PKCS#7 ContentInfo of an Authenticode signature from its parts. Built field by field because
 * Authenticode wants SignedData version 1 over a non-data content type (CMS generators would write version 3).
 *
 * <pre>
 * SignedData ::= SEQUENCE { version 1, digestAlgorithms SET { alg }, contentInfo { SPC_INDIRECT_DATA,
 *     [0] EXPLICIT SpcIndirectDataContent }, [0] IMPLICIT certificates, signerInfos SET { SignerInfo } }
 * SignerInfo ::= SEQUENCE { version 1, IssuerAndSerialNumber, digestAlgorithm, [0] IMPLICIT signedAttrs,
 *     signatureAlgorithm, signature OCTET STRING, [1] IMPLICIT unsignedAttrs OPTIONAL }
 * </pre>
 */
public final class SignedDataAssembler {
    private SignedDataAssembler() {}

    /**
     * @param content   the SpcIndirectDataContent the signed attributes' messageDigest covers
     * @param scheme    the signature algorithm; its digest is the SignerInfo's digestAlgorithm
     * @param chain     the signer's certificate first, then its issuers
     */
    public static byte[] assemble(SpcIndirectData content, SignatureScheme scheme, byte[] signedAttributes,
                                  byte[] signature, List<X509Certificate> chain, Optional<byte[]> timestampToken)
            throws CertificateEncodingException {
        X509Certificate leaf = chain.get(0);
        AlgorithmIdentifier digestId = new AlgorithmIdentifier(scheme.digest().oid(), DERNull.INSTANCE);
        IssuerAndSerialNumber sid = new IssuerAndSerialNumber(
                X500Name.getInstance(leaf.getIssuerX500Principal().getEncoded()), leaf.getSerialNumber());
        ASN1EncodableVector signerInfo = new ASN1EncodableVector();
        signerInfo.add(new ASN1Integer(1));
        signerInfo.add(sid);
        signerInfo.add(digestId);
        signerInfo.add(new DERTaggedObject(false, 0, ASN1Set.getInstance(signedAttributes)));
        signerInfo.add(scheme.signerInfoAlgorithm());
        signerInfo.add(new DEROctetString(signature));
        if (timestampToken.isPresent()) {
            Attribute ts = new Attribute(AuthenticodeOids.SPC_RFC3161_TIMESTAMP,
                    new DERSet(parse(timestampToken.get())));
            signerInfo.add(new DERTaggedObject(false, 1, new DERSet(ts)));
        }
        ASN1EncodableVector certificates = new ASN1EncodableVector();
        for (X509Certificate c : chain) {
            certificates.add(parse(c.getEncoded()));
        }
        DERSequence encapsulated = new DERSequence(new ASN1Encodable[] {AuthenticodeOids.SPC_INDIRECT_DATA,
                new DERTaggedObject(true, 0, content.sequence())});
        DERSequence signedData = new DERSequence(new ASN1Encodable[] {
                new ASN1Integer(1),
                new DERSet(digestId),
                encapsulated,
                new DERTaggedObject(false, 0, new DERSet(certificates)),
                new DERSet(new DERSequence(signerInfo))});
        DERSequence contentInfo = new DERSequence(new ASN1Encodable[] {CMSObjectIdentifiers.signedData,
                new DERTaggedObject(true, 0, signedData)});
        try {
            return contentInfo.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding to memory does not fail", e);
        }
    }

    private static ASN1Primitive parse(byte[] der) {
        try {
            return ASN1Primitive.fromByteArray(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("not DER: " + e.getMessage(), e);
        }
    }
}
