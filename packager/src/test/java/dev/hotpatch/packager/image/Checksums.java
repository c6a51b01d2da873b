package dev.hotpatch.packager.image;

/** An independent PE CheckSum for the tests: pefile's generate_checksum, which adds 32-bit words. */
final class Checksums {
    private Checksums() {}

    static long byDwords(byte[] data, int checksumOffset) {
        long checksum = 0;
        long top = 1L << 32;
        int length = data.length;
        int dwords = (length + 3) / 4;
        for (int i = 0; i < dwords; i++) {
            if (i == checksumOffset / 4) {
                continue;
            }
            long dword = 0;
            for (int b = 3; b >= 0; b--) {
                int at = 4 * i + b;
                dword = dword << 8 | (at < length ? data[at] & 0xFF : 0);
            }
            checksum = (checksum & 0xFFFF_FFFFL) + dword + (checksum >>> 32);
            if (checksum > top) {
                checksum = (checksum & 0xFFFF_FFFFL) + (checksum >>> 32);
            }
        }
        checksum = (checksum & 0xFFFF) + (checksum >>> 16);
        checksum = checksum + (checksum >>> 16);
        checksum = checksum & 0xFFFF;
        return checksum + length;
    }
}
