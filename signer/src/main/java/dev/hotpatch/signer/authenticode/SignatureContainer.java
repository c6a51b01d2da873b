package dev.hotpatch.signer.authenticode;

import dev.hotpatch.kaitai.layout.WinCertificate;
import dev.hotpatch.pe.CertificateEntry;
import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.KaitaiParse;
import dev.hotpatch.pe.PeFormatException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The attribute certificate table of a signed image, read strictly: it must be last in the file and start after
 * all mapped data, hold exactly one WIN_CERTIFICATE (revision 0x0200, type 2; headers read with the kaitai layout
 * {@code win_certificate}), be 8-byte aligned, and carry nothing but zero padding beside the DER signature. Problems that still leave a signature to check are
 * collected; problems that leave nothing to read are thrown.
 *
 * @param signature the first entry's outer DER value (the PKCS#7 ContentInfo) without padding; only its length is
 *                  checked here, {@link AuthenticodeSignature#parse} checks its nesting
 * @param problems  one sentence per violation of the rules above
 */
public record SignatureContainer(byte[] signature, List<String> problems) {

    /** A hotpatch signature with a chain and a time-stamp is a few kilobytes; nothing needs more than this. */
    public static final int MAX_TABLE_SIZE = 1 << 20;
    /** Entries the table is searched for before it counts as "more than" that many. */
    private static final int MAX_ENTRIES_COUNTED = 64;

    public static SignatureContainer read(byte[] file, PeLayout layout) throws SignatureFormatException {
        long offset = layout.certificateTableOffset();
        long size = layout.certificateTableSize();
        String entryAt = " at " + hex(layout.certificateEntryOffset());
        if (size > MAX_TABLE_SIZE) {
            throw new SignatureFormatException(PeLayout.DIRECTORY + ".len" + entryAt + ": expected at most "
                    + hex(MAX_TABLE_SIZE) + " (SignatureContainer.MAX_TABLE_SIZE), found " + hex(size));
        }
        Optional<String> outside = layout.certificateTableOutsideFile();
        if (outside.isPresent()) {
            throw new SignatureFormatException(outside.get());
        }
        if (offset < layout.certificateEntryOffset() + 8L) {
            throw new SignatureFormatException(PeLayout.DIRECTORY + entryAt + ": expected a table after the headers,"
                    + " found one at " + hex(offset) + ", before the end of the directory entry itself");
        }
        List<String> problems = new ArrayList<>();
        if (offset % 8 != 0 || size % 8 != 0) {
            problems.add(PeLayout.DIRECTORY + entryAt + ": expected an 8-byte aligned table, found offset "
                    + hex(offset) + " and size " + hex(size));
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
        if (size < CertificateTableWriter.HEADER_SIZE) {
            throw new SignatureFormatException("win_certificate[0] at " + hex(start)
                    + ": expected at least an 8-byte header, found a table of " + hex(size) + " bytes");
        }
        ImageBytes bytes = ImageBytes.of(file);
        WinCertificate first = header(bytes, 0, start);
        long length = first.lenEntry();
        int headerLength = first.ofsCertificate();
        if (length < headerLength || length > size) {
            throw new SignatureFormatException("win_certificate[0].len_entry at "
                    + hex(KaitaiParse.fieldOffset(first, "len_entry", start)) + ": expected " + hex(headerLength)
                    + ".." + hex(size) + " (within the table), found " + hex(length));
        }
        if (first.revision() != CertificateEntry.REVISION_2_0) {
            problems.add("win_certificate[0].revision at " + hex(KaitaiParse.fieldOffset(first, "revision", start))
                    + ": expected " + hex(CertificateEntry.REVISION_2_0) + ", found " + hex(first.revision()));
        }
        if (first.certificateType() != CertificateEntry.TYPE_PKCS_SIGNED_DATA) {
            problems.add("win_certificate[0].certificate_type at "
                    + hex(KaitaiParse.fieldOffset(first, "certificate_type", start)) + ": expected "
                    + hex(CertificateEntry.TYPE_PKCS_SIGNED_DATA) + " (PKCS#7 SignedData), found "
                    + hex(first.certificateType()));
        }
        countEntries(file, bytes, start, end, length, problems);
        int dataStart = start + headerLength;
        int dataLength = (int) length - headerLength;
        // Only the outer length here: AuthenticodeSignature.parse walks the whole value before parsing it.
        int derLength = DerLimits.outerLength(file, dataStart, dataLength, "the PKCS#7 signature at " + hex(dataStart));
        int slack = dataLength - derLength;
        if (slack >= 8 || !zero(file, dataStart + derLength, dataStart + dataLength)) {
            problems.add("win_certificate[0] at " + hex(start) + " holds " + hex(slack)
                    + " bytes after its DER signature that are not zero padding to 8 bytes");
        }
        return new SignatureContainer(Arrays.copyOfRange(file, dataStart, dataStart + derLength),
                List.copyOf(problems));
    }

    /** The header of entry {@code index} at {@code at}, which the caller has checked lies inside the table. */
    private static WinCertificate header(ImageBytes bytes, int index, int at) throws SignatureFormatException {
        try {
            return KaitaiParse.parse(bytes, "win_certificate[" + index + "]", at, CertificateTableWriter.HEADER_SIZE,
                    WinCertificate::new);
        } catch (PeFormatException e) {
            throw new SignatureFormatException(e.getMessage());
        }
    }

    private static void countEntries(byte[] file, ImageBytes bytes, int start, int end, long firstLength,
                                     List<String> problems) throws SignatureFormatException {
        int at = start + CertificateTableWriter.align8((int) firstLength);
        int padEnd = Math.min(at, end);
        if (!zero(file, start + (int) firstLength, padEnd)) {
            problems.add("the padding after win_certificate[0] (" + hex(start + firstLength) + ".." + hex(padEnd)
                    + ") is not zero");
        }
        int entries = 1;
        while (at + CertificateTableWriter.HEADER_SIZE <= end && entries <= MAX_ENTRIES_COUNTED) {
            long length = header(bytes, entries, at).lenEntry();
            entries++;
            if (length < CertificateTableWriter.HEADER_SIZE || length > end - at) {
                break;
            }
            at += CertificateTableWriter.align8((int) length);
        }
        if (entries > 1) {
            problems.add("the certificate table holds " + (entries > MAX_ENTRIES_COUNTED
                    ? "more than " + MAX_ENTRIES_COUNTED : entries) + " WIN_CERTIFICATE entries where exactly one is"
                    + " allowed");
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
