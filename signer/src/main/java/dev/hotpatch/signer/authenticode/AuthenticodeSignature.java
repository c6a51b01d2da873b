package dev.hotpatch.signer.authenticode;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Authenticode signature as read from a WIN_CERTIFICATE: the parts the verifier checks, taken apart without
 * trusting anything. Violations that leave the parts readable (a wrong version, a second SignerInfo) are
 * collected as problems; anything that leaves a part unreadable throws.
 *
 * @param content               the SpcIndirectDataContent: image digest and the octets messageDigest covers
 * @param certificates          the SignedData's certificates, in file order
 * @param signerIssuer          the SignerInfo's issuer
 * @param signerSerial          the SignerInfo's serial number
 * @param digestAlgorithm       the SignerInfo's digestAlgorithm
 * @param signedAttributes      the DER of the SET OF signed attributes: what the signature covers
 * @param messageDigest         the PKCS#9 messageDigest attribute
 * @param contentType           the PKCS#9 contentType attribute
 * @param signatureAlgorithm    the SignerInfo's signatureAlgorithm
 * @param signature             the signature value
 * @param timestampToken        the RFC 3161 token in unsigned attribute 1.3.6.1.4.1.311.3.3.1, as parsed (its DER
 *                              is bounded by the walk over the whole signature; it is read as a token only later)
 * @param problems              structural violations that do not stop verification
 */
public record AuthenticodeSignature(SpcIndirectData content, List<X509Certificate> certificates,
                                    X500Principal signerIssuer, BigInteger signerSerial,
                                    ASN1ObjectIdentifier digestAlgorithm, byte[] signedAttributes,
                                    byte[] messageDigest, ASN1ObjectIdentifier contentType,
                                    AlgorithmIdentifier signatureAlgorithm, byte[] signature,
                                    Optional<ASN1Encodable> timestampToken, List<String> problems) {

    /** More certificates than any real chain carries. */
    public static final int MAX_CERTIFICATES = 16;
    /** More attributes than any real SignerInfo carries. */
    public static final int MAX_ATTRIBUTES = 32;

    /** Parses the DER ContentInfo; every Bouncy Castle failure on hostile input becomes the checked error. */
    public static AuthenticodeSignature parse(byte[] der) throws SignatureFormatException {
        DerLimits.check(der, 0, der.length, "the PKCS#7 signature");
        try {
            return parseChecked(der);
        } catch (RuntimeException | IOException e) {
            // Bouncy Castle reports malformed input with unchecked exceptions of several types.
            throw new SignatureFormatException("the PKCS#7 signature cannot be parsed: " + reason(e));
        }
    }

    private static AuthenticodeSignature parseChecked(byte[] der) throws IOException, SignatureFormatException {
        List<String> problems = new ArrayList<>();
        ASN1Primitive top;
        try (ASN1InputStream in = new ASN1InputStream(der)) {
            top = in.readObject();
        }
        ContentInfo info = ContentInfo.getInstance(top);
        if (!CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
            throw new SignatureFormatException("the signature's content type is " + info.getContentType()
                    + " instead of PKCS#7 SignedData (1.2.840.113549.1.7.2)");
        }
        SignedData sd = SignedData.getInstance(info.getContent());
        if (sd.getVersion().intValueExact() != 1) {
            problems.add("SignedData.version is " + sd.getVersion() + " instead of 1");
        }
        ASN1ObjectIdentifier eType = sd.getEncapContentInfo().getContentType();
        if (!AuthenticodeOids.SPC_INDIRECT_DATA.equals(eType)) {
            throw new SignatureFormatException("SignedData.contentInfo.contentType is " + eType
                    + " instead of SPC_INDIRECT_DATA (" + AuthenticodeOids.SPC_INDIRECT_DATA + ")");
        }
        ASN1Encodable encapsulated = sd.getEncapContentInfo().getContent();
        if (encapsulated == null) {
            throw new SignatureFormatException("SignedData carries no SpcIndirectDataContent");
        }
        SpcIndirectData content = SpcIndirectData.parse(encapsulated);
        List<X509Certificate> certificates = certificates(sd.getCertificates());
        ASN1Set signerInfos = sd.getSignerInfos();
        if (signerInfos.size() == 0) {
            throw new SignatureFormatException("SignedData has no SignerInfo");
        }
        if (signerInfos.size() > 1) {
            problems.add("SignedData has " + signerInfos.size() + " SignerInfos where Authenticode allows one");
        }
        SignerInfo si = SignerInfo.getInstance(signerInfos.getObjectAt(0));
        if (si.getVersion().intValueExact() != 1) {
            problems.add("SignerInfo.version is " + si.getVersion() + " instead of 1");
        }
        if (si.getSID().isTagged()) {
            throw new SignatureFormatException("the SignerInfo names its certificate by subject key identifier;"
                    + " Authenticode uses issuer and serial number");
        }
        IssuerAndSerialNumber sid = IssuerAndSerialNumber.getInstance(si.getSID().getId());
        ASN1ObjectIdentifier digestAlgorithm = si.getDigestAlgorithm().getAlgorithm();
        ASN1Set digestAlgorithms = sd.getDigestAlgorithms();
        if (digestAlgorithms.size() != 1
                || !AlgorithmIdentifier.getInstance(digestAlgorithms.getObjectAt(0)).getAlgorithm().equals(digestAlgorithm)) {
            problems.add("SignedData.digestAlgorithms does not list exactly the SignerInfo's digest algorithm "
                    + AlgorithmPolicy.name(digestAlgorithm));
        }
        for (ASN1Encodable a : digestAlgorithms) {
            nullParameters(AlgorithmIdentifier.getInstance(a), "SignedData.digestAlgorithms", problems);
        }
        nullParameters(si.getDigestAlgorithm(), "SignerInfo.digestAlgorithm", problems);
        nullParameters(si.getDigestEncryptionAlgorithm(), "SignerInfo.signatureAlgorithm", problems);
        if (sd.getCRLs() != null) {
            problems.add("SignedData carries CRLs, which Authenticode signatures do not use and nothing authenticates");
        }
        ASN1Set signed = si.getAuthenticatedAttributes();
        if (signed == null) {
            throw new SignatureFormatException("the SignerInfo has no signed attributes (contentType, messageDigest)");
        }
        Map<ASN1ObjectIdentifier, ASN1Encodable> attrs = attributes(signed, "signed", problems);
        ASN1Encodable md = attrs.get(CMSAttributes.messageDigest);
        if (!(md instanceof ASN1OctetString mdOctets)) {
            throw new SignatureFormatException("the signed attributes have no messageDigest OCTET STRING");
        }
        ASN1Encodable ct = attrs.get(CMSAttributes.contentType);
        if (!(ct instanceof ASN1ObjectIdentifier contentType)) {
            throw new SignatureFormatException("the signed attributes have no contentType identifier");
        }
        Optional<ASN1Encodable> token = Optional.empty();
        if (si.getUnauthenticatedAttributes() != null) {
            Map<ASN1ObjectIdentifier, ASN1Encodable> unsigned =
                    attributes(si.getUnauthenticatedAttributes(), "unsigned", problems);
            ASN1Encodable ts = unsigned.get(AuthenticodeOids.SPC_RFC3161_TIMESTAMP);
            for (ASN1ObjectIdentifier type : unsigned.keySet()) {
                if (!type.equals(AuthenticodeOids.SPC_RFC3161_TIMESTAMP)) {
                    problems.add("the SignerInfo carries the unsigned attribute " + type + (type.equals(
                            AuthenticodeOids.SPC_NESTED_SIGNATURE) ? " (a nested signature)" : "")
                            + ", unauthenticated data that only an RFC 3161 time-stamp may be");
                }
            }
            if (ts != null) {
                token = Optional.of(ts);
            }
        }
        return new AuthenticodeSignature(content, certificates, new X500Principal(sid.getName().getEncoded(ASN1Encoding.DER)),
                sid.getSerialNumber().getValue(), digestAlgorithm, signed.getEncoded(ASN1Encoding.DL),
                mdOctets.getOctets(), contentType, si.getDigestEncryptionAlgorithm(),
                si.getEncryptedDigest().getOctets(), token, List.copyOf(problems));
    }

    /** Digest and signature algorithm identifiers carry NULL or no parameters; anything else is unauthenticated. */
    private static void nullParameters(AlgorithmIdentifier id, String where, List<String> problems) {
        ASN1Encodable p = id.getParameters();
        if (p != null && !(p.toASN1Primitive() instanceof org.bouncycastle.asn1.ASN1Null)) {
            problems.add(where + " (" + AlgorithmPolicy.name(id.getAlgorithm()) + ") has parameters where NULL or none"
                    + " belong");
        }
    }

    private static List<X509Certificate> certificates(ASN1Set set) throws SignatureFormatException, IOException {
        if (set == null || set.size() == 0) {
            throw new SignatureFormatException("SignedData carries no certificates, so the signer cannot be identified");
        }
        if (set.size() > MAX_CERTIFICATES) {
            throw new SignatureFormatException("SignedData carries " + set.size() + " certificates, more than "
                    + MAX_CERTIFICATES + " (AuthenticodeSignature.MAX_CERTIFICATES)");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (ASN1Encodable e : set) {
                if (!(e.toASN1Primitive() instanceof ASN1Sequence)) {
                    continue; // attribute certificates and other CertificateChoices are not X.509 certificates
                }
                out.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(e.toASN1Primitive().getEncoded(ASN1Encoding.DER))));
            }
        } catch (CertificateException e) {
            throw new SignatureFormatException("a certificate in the signature cannot be parsed: " + reason(e));
        }
        return List.copyOf(out);
    }

    private static Map<ASN1ObjectIdentifier, ASN1Encodable> attributes(ASN1Set set, String kind, List<String> problems)
            throws SignatureFormatException {
        if (set.size() > MAX_ATTRIBUTES) {
            throw new SignatureFormatException("the SignerInfo has " + set.size() + " " + kind
                    + " attributes, more than " + MAX_ATTRIBUTES);
        }
        Map<ASN1ObjectIdentifier, ASN1Encodable> out = new HashMap<>();
        for (ASN1Encodable e : set) {
            Attribute a = Attribute.getInstance(e);
            if (out.containsKey(a.getAttrType())) {
                throw new SignatureFormatException("the " + kind + " attribute " + a.getAttrType()
                        + " appears twice");
            }
            if (a.getAttrValues().size() != 1) {
                throw new SignatureFormatException("the " + kind + " attribute " + a.getAttrType() + " has "
                        + a.getAttrValues().size() + " values instead of one");
            }
            out.put(a.getAttrType(), a.getAttrValues().getObjectAt(0));
        }
        return out;
    }

    static String reason(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m.strip() + ")");
    }
}
