package dev.hotpatch.pe;

/**
 * The PE CheckSum (as imagehlp's CheckSumMappedFile computes it): the file summed as little-endian 16-bit words
 * with the carry folded back in after every addition (a one's-complement sum), the 4-byte CheckSum field counted
 * as zero, a trailing odd byte counted as a word of its own, and the file length added to the 16-bit result.
 */
public final class PeChecksum {
    private PeChecksum() {}

    /** The CheckSum of {@code file}, whose CheckSum field starts at {@code checksumOffset} (an even offset). */
    public static long compute(byte[] file, int checksumOffset) {
        if ((checksumOffset & 1) != 0 || checksumOffset < 0 || checksumOffset + 4 > file.length) {
            throw new IllegalArgumentException("CheckSum field offset 0x" + Integer.toHexString(checksumOffset)
                    + " is odd or outside a file of " + file.length + " bytes");
        }
        long sum = 0;
        int words = file.length & ~1;
        for (int i = 0; i < words; i += 2) {
            if (i == checksumOffset || i == checksumOffset + 2) {
                continue;
            }
            sum += (file[i] & 0xFF) | (file[i + 1] & 0xFF) << 8;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        if ((file.length & 1) != 0) {
            sum += file[file.length - 1] & 0xFF;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (sum + file.length) & 0xFFFF_FFFFL;
    }
}
