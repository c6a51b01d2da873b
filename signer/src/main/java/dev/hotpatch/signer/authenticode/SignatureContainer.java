package dev.hotpatch.signer.authenticode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The attribute certificate table of a signed image, read strictly: it must be last in the file and start after
 * all mapped data, hold exactly one WIN_CERTIFICATE (revision 0x0200, type 2), be 8-byte aligned, and carry
 * nothing but zero padding beside the DER signature. Problems that still leave a signature to check are
 * collected; problems that leave nothing to read are thrown.
 *
 * @param signature the DER of the first entry's PKCS#7 ContentInfo, without padding
 * @param problems  one sentence per violation of the rules above
 */
public record SignatureContainer(byte[] signature, List<String> problems) {

    /** A hotpatch signature with a chain and a time-stamp is a few kilobytes; nothing needs more than this. */
    public static final int MAX_TABLE_SIZE = 1 << 20;
    private static final String DIRECTORY = "data_directory[certificate]";

    public static SignatureContainer read(byte[] file, PeLayout layout) throws SignatureFormatException {
        long offset = layout.certificateTableOffset();
        long size = layout.certificateTableSize();
        String entryAt = " at " + hex(layout.certificateEntryOffset());
        if (size > MAX_TABLE_SIZE) {
            throw new SignatureFormatException(DIRECTORY + ".len" + entryAt + ": expected at most " + hex(MAX_TABLE_SIZE)
                    + " (SignatureContainer.MAX_TABLE_SIZE), found " + hex(size));
        }
        if (offset + size > file.length || offset == 0) {
            throw new SignatureFormatException(DIRECTORY + entryAt + ": expected a table inside the file (0x0.."
                    + hex(file.length) + "), found " + hex(offset) + ".." + hex(offset + size));
        }
        if (offset < layout.certificateEntryOffset() + 8L) {
            throw new SignatureFormatException(DIRECTORY + entryAt + ": expected a table after the headers, found one"
                    + " at " + hex(offset) + ", before the end of the directory entry itself");
        }
        List<String> problems = new ArrayList<>();
        if (offset % 8 != 0 || size % 8 != 0) {
            problems.add(DIRECTORY + entryAt + ": expected an 8-byte aligned table, found offset " + hex(offset)
                    + " and size " + hex(size));
        }
        if (offset < layout.endOfMappedData()) {
            problems.add("the certificate table at " + hex(offset) + " starts before the end of the "
                    + layout.lastSectionName() + " at " + hex(layout.endOfMappedData())
                    + ", so mapped bytes are not covered by the signature");
        }
        if (offset + size < file.length) {
            problems.add(hex(file.length - offset - size) + " bytes follow the certificate table (which ends at "
                    + hex(offset + size) + "); the table must be last in the file");
        }
        int start = (int) offset;
        int end = (int) (offset + size);
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (size < CertificateTableWriter.HEADER_SIZE) {
            throw new SignatureFormatException("win_certificate[0] at " + hex(start)
                    + ": expected at least an 8-byte header, found a table of " + hex(size) + " bytes");
        }
        long length = Integer.toUnsignedLong(buf.getInt(start));
        int revision = Short.toUnsignedInt(buf.getShort(start + 4));
        int type = Short.toUnsignedInt(buf.getShort(start + 6));
        if (length < CertificateTableWriter.HEADER_SIZE || length > size) {
            throw new SignatureFormatException("win_certificate[0].len_entry at " + hex(start) + ": expected "
                    + hex(CertificateTableWriter.HEADER_SIZE) + ".." + hex(size) + " (within the table), found "
                    + hex(length));
        }
        if (revision != CertificateTableWriter.REVISION_2_0) {
            problems.add("win_certificate[0].revision at " + hex(start + 4) + ": expected 0x200, found " + hex(revision));
        }
        if (type != CertificateTableWriter.TYPE_PKCS_SIGNED_DATA) {
            problems.add("win_certificate[0].certificate_type at " + hex(start + 6)
                    + ": expected 0x2 (PKCS#7 SignedData), found " + hex(type));
        }
        countEntries(file, buf, start, end, length, problems);
        int dataStart = start + CertificateTableWriter.HEADER_SIZE;
        int dataLength = (int) length - CertificateTableWriter.HEADER_SIZE;
        int derLength = DerLimits.check(file, dataStart, dataLength, "the PKCS#7 signature at " + hex(dataStart));
        int slack = dataLength - derLength;
        if (slack >= 8 || !zero(file, dataStart + derLength, dataStart + dataLength)) {
            problems.add("win_certificate[0] at " + hex(start) + " holds " + hex(slack)
                    + " bytes after its DER signature that are not zero padding to 8 bytes");
        }
        return new SignatureContainer(Arrays.copyOfRange(file, dataStart, dataStart + derLength), List.copyOf(problems));
    }

    private static void countEntries(byte[] file, ByteBuffer buf, int start, int end, long firstLength,
                                     List<String> problems) {
        int at = start + CertificateTableWriter.align8((int) firstLength);
        int padEnd = Math.min(at, end);
        if (!zero(file, start + (int) firstLength, padEnd)) {
            problems.add("the padding after win_certificate[0] (" + hex(start + firstLength) + ".." + hex(padEnd)
                    + ") is not zero");
        }
        int entries = 1;
        while (at + CertificateTableWriter.HEADER_SIZE <= end && entries <= 64) {
            long length = Integer.toUnsignedLong(buf.getInt(at));
            entries++;
            if (length < CertificateTableWriter.HEADER_SIZE || length > end - at) {
                break;
            }
            at += CertificateTableWriter.align8((int) length);
        }
        if (entries > 1) {
            problems.add("the certificate table holds " + (entries > 64 ? "more than 64" : entries)
                    + " WIN_CERTIFICATE entries where exactly one is allowed");
        } else if (at < end) {
            problems.add("the certificate table has " + hex(end - at) + " bytes after its only entry");
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
