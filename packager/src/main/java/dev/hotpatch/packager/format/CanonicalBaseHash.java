package dev.hotpatch.packager.format;

import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * SHA-256 of a base image's canonical form (docs/format.md, "Canonical form of the base"): every byte of the
 * file, in file order, except the optional header's CheckSum field, the certificate-table data-directory entry
 * (when NumberOfRvaAndSizes reaches it) and the bytes the certificate table covers; an image without a certificate
 * table is hashed as if zero-padded to a multiple of 8 bytes. These are the rules of the Authenticode digest, so
 * signing the base (which pads it to 8 before appending the table), re-signing it or re-stamping its CheckSum
 * leaves the hash unchanged.
 */
public final class CanonicalBaseHash {
    private CanonicalBaseHash() {}

    /** Bytes from the start of the optional header to CheckSum, in PE32 and PE32+ alike. */
    static final int CHECKSUM_IN_OPTIONAL_HEADER = 64;
    static final int CHECKSUM_LENGTH = 4;
    /** Bytes from the start of the optional header to the data directories: PE32, PE32+. */
    static final int DIRECTORIES_IN_PE32 = 96;
    static final int DIRECTORIES_IN_PE32_PLUS = 112;
    static final int DATA_DIRECTORY_LENGTH = 8;
    /** The PE signature and the COFF file header come before the optional header. */
    static final int OPTIONAL_HEADER_IN_NT_HEADERS = 4 + 20;

    /** Reads the file with {@link PeReader} and hashes its canonical form. */
    public static byte[] sha256(Path base) throws IOException, PeFormatException {
        return sha256(PeReader.read(base));
    }

    /** The hash of an image's canonical form (32 bytes). */
    public static byte[] sha256(PeImage base) {
        long[][] gaps = leftOut(base);
        ImageBytes file = base.fileBytes();
        MessageDigest digest = newDigest();
        long at = 0;
        for (long[] gap : gaps) {
            if (gap[0] > at) {
                digest.update(file.slice(at, gap[0] - at));
            }
            at = Math.max(at, gap[1]);
        }
        if (file.length() > at) {
            digest.update(file.slice(at, file.length() - at));
        }
        if (!hasCertificateTable(base)) {
            digest.update(new byte[(int) (-file.length() & 7)]);
        }
        return digest.digest();
    }

    /**
     * The file ranges [start, end) the canonical form leaves out, clipped to the file and sorted by start: the
     * CheckSum field, the certificate-table entry, the certificate table. They may touch or overlap.
     */
    static long[][] leftOut(PeImage base) {
        long length = base.fileLength();
        long optionalHeader = base.ntHeadersOffset() + OPTIONAL_HEADER_IN_NT_HEADERS;
        long checkSum = optionalHeader + CHECKSUM_IN_OPTIONAL_HEADER;
        long[][] ranges = new long[3][];
        int n = 0;
        ranges[n++] = clip(checkSum, CHECKSUM_LENGTH, length);
        if (base.dataDirectories().size() > DirectoryKind.CERTIFICATE.ordinal()) {
            long directories = optionalHeader + (base.is64Bit() ? DIRECTORIES_IN_PE32_PLUS : DIRECTORIES_IN_PE32);
            long entry = directories + (long) DirectoryKind.CERTIFICATE.ordinal() * DATA_DIRECTORY_LENGTH;
            ranges[n++] = clip(entry, DATA_DIRECTORY_LENGTH, length);
            DataDirectory certificates = base.dataDirectories().get(DirectoryKind.CERTIFICATE.ordinal());
            if (certificates.isPresent()) {
                // PeReader has checked that the table lies inside the file.
                ranges[n++] = clip(certificates.address(), certificates.size(), length);
            }
        }
        long[][] out = Arrays.copyOf(ranges, n);
        Arrays.sort(out, (a, b) -> Long.compare(a[0], b[0]));
        return out;
    }

    private static boolean hasCertificateTable(PeImage base) {
        return base.dataDirectories().size() > DirectoryKind.CERTIFICATE.ordinal()
                && base.dataDirectories().get(DirectoryKind.CERTIFICATE.ordinal()).isPresent();
    }

    private static long[] clip(long start, long size, long length) {
        return new long[] {Math.min(start, length), Math.min(start + size, length)};
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
