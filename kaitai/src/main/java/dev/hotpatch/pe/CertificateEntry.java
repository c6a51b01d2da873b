package dev.hotpatch.pe;

import java.nio.ByteBuffer;

/**
 * One WIN_CERTIFICATE entry of the attribute certificate table. The certificate bytes stay in the file;
 * {@link #certificateBytes} hands them out as a read-only slice.
 *
 * @param index           position in the table
 * @param fileOffset      file offset of the entry (its dwLength field)
 * @param length          dwLength: header and certificate bytes, without the padding to 8 bytes
 * @param revision        wRevision (0x0200 for current Authenticode)
 * @param certificateType wCertificateType (2 = PKCS#7 SignedData)
 * @param dataOffset      file offset of bCertificate
 */
public record CertificateEntry(int index, long fileOffset, long length, int revision, int certificateType,
                               long dataOffset) {

    public static final int REVISION_1_0 = 0x0100;
    public static final int REVISION_2_0 = 0x0200;
    public static final int TYPE_X509 = 1;
    public static final int TYPE_PKCS_SIGNED_DATA = 2;

    /** Bytes of bCertificate. */
    public long dataLength() {
        return length - (dataOffset - fileOffset);
    }

    /** The certificate bytes (for type 2 a DER PKCS#7 SignedData), as a read-only slice of the image's file. */
    public ByteBuffer certificateBytes(PeImage image) {
        return image.fileBytes().slice(dataOffset, dataLength());
    }
}
