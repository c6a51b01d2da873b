package dev.hotpatch.signer.authenticode;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/** Microsoft's object identifiers for Authenticode (Windows Authenticode PE Signature Format, v1.0). */
public final class AuthenticodeOids {
    private AuthenticodeOids() {}

    private static final String SPC = "1.3.6.1.4.1.311.2.";

    /** SPC_INDIRECT_DATA_OBJID: the content type of the SignedData. */
    public static final ASN1ObjectIdentifier SPC_INDIRECT_DATA = new ASN1ObjectIdentifier(SPC + "1.4");
    /** SPC_STATEMENT_TYPE_OBJID: signed attribute naming the kind of signer. */
    public static final ASN1ObjectIdentifier SPC_STATEMENT_TYPE = new ASN1ObjectIdentifier(SPC + "1.11");
    /** SPC_SP_OPUS_INFO_OBJID: signed attribute with the program name and a URL. */
    public static final ASN1ObjectIdentifier SPC_SP_OPUS_INFO = new ASN1ObjectIdentifier(SPC + "1.12");
    /** SPC_PE_IMAGE_DATAOBJ: the data type for PE images inside SpcIndirectDataContent. */
    public static final ASN1ObjectIdentifier SPC_PE_IMAGE_DATA = new ASN1ObjectIdentifier(SPC + "1.15");
    /** SPC_INDIVIDUAL_SP_KEY_PURPOSE_OBJID: the statement type "individual code signing". */
    public static final ASN1ObjectIdentifier SPC_INDIVIDUAL_SP_KEY_PURPOSE = new ASN1ObjectIdentifier(SPC + "1.21");
    /** SPC_NESTED_SIGNATURE_OBJID: unsigned attribute holding a further signature (never trusted by us). */
    public static final ASN1ObjectIdentifier SPC_NESTED_SIGNATURE = new ASN1ObjectIdentifier(SPC + "4.1");
    /** SPC_RFC3161_OBJID: unsigned attribute holding an RFC 3161 time-stamp token over the signature value. */
    public static final ASN1ObjectIdentifier SPC_RFC3161_TIMESTAMP = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.3.3.1");
}
