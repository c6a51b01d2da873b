package dev.hotpatch.signer.authenticode;

import dev.hotpatch.pe.CertificateEntry;
import dev.hotpatch.pe.PeChecksum;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Appends a signature to an image as the attribute certificate table: one WIN_CERTIFICATE (revision 0x0200,
 * type 2 = PKCS#7 SignedData) whose dwLength includes the padding to 8 bytes, at the end of the image; then
 * points data directory entry 4 at it and recomputes the CheckSum.
 */
public final class CertificateTableWriter {
    private CertificateTableWriter() {}

    /** dwLength, wRevision and wCertificateType (the kaitai layout win_certificate). */
    public static final int HEADER_SIZE = 8;

    /**
     * @param image the image without a certificate table, already padded to a multiple of 8
     * @param signature the DER ContentInfo of the signature
     */
    public static byte[] embed(byte[] image, PeLayout layout, byte[] signature) {
        if (image.length % 8 != 0) {
            throw new IllegalArgumentException("the image must be padded to 8 bytes before its certificate table");
        }
        int entryLength = align8(HEADER_SIZE + signature.length);
        byte[] out = new byte[image.length + entryLength];
        System.arraycopy(image, 0, out, 0, image.length);
        ByteBuffer buf = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(image.length, entryLength);
        buf.putShort(image.length + 4, (short) CertificateEntry.REVISION_2_0);
        buf.putShort(image.length + 6, (short) CertificateEntry.TYPE_PKCS_SIGNED_DATA);
        System.arraycopy(signature, 0, out, image.length + HEADER_SIZE, signature.length);
        buf.putInt(layout.certificateEntryOffset(), image.length);
        buf.putInt(layout.certificateEntryOffset() + 4, entryLength);
        buf.putInt(layout.checksumOffset(), (int) PeChecksum.compute(out, layout.checksumOffset()));
        return out;
    }

    public static int align8(int n) {
        return (n + 7) & ~7;
    }
}
