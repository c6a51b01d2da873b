package dev.hotpatch.packager.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * HPATCH_BASE: which base image the patch is for (IMAGE_HOT_PATCH_BASE and IMAGE_HOT_PATCH_HASHES in meaning).
 *
 * @param originalTimeDateStamp the base's COFF TimeDateStamp
 * @param originalCheckSum      the base's optional-header CheckSum
 * @param originalSizeOfImage   the base's SizeOfImage
 * @param machine               the base's COFF Machine: {@link #MACHINE_I386}, {@link #MACHINE_AMD64} or
 *                              {@link #MACHINE_ARM64}
 * @param sha256                SHA-256 of the base's canonical form ({@link CanonicalBaseHash}), 32 bytes
 * @param name                  the base's file name, for diagnostics ("" for none)
 */
public record HotPatchBase(long originalTimeDateStamp, long originalCheckSum, long originalSizeOfImage, int machine,
                           byte[] sha256, String name) {

    public static final int MACHINE_I386 = 0x14c;
    public static final int MACHINE_AMD64 = 0x8664;
    public static final int MACHINE_ARM64 = 0xaa64;
    public static final int SHA256_LENGTH = 32;

    public HotPatchBase {
        Fields.u32(originalTimeDateStamp, "originalTimeDateStamp");
        Fields.u32(originalCheckSum, "originalCheckSum");
        Fields.u32(originalSizeOfImage, "originalSizeOfImage");
        Fields.range(machine, 0, 0xFFFF, "machine");
        if (sha256 == null || sha256.length != SHA256_LENGTH) {
            throw new IllegalArgumentException("sha256 must hold 32 bytes");
        }
        sha256 = sha256.clone();
        Fields.name(name, "base name");
    }

    /** A copy of the 32 hash bytes. */
    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HotPatchBase b && originalTimeDateStamp == b.originalTimeDateStamp
                && originalCheckSum == b.originalCheckSum && originalSizeOfImage == b.originalSizeOfImage
                && machine == b.machine && Arrays.equals(sha256, b.sha256) && name.equals(b.name);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(originalTimeDateStamp);
        h = h * 31 + Long.hashCode(originalCheckSum);
        h = h * 31 + Long.hashCode(originalSizeOfImage);
        h = h * 31 + machine;
        h = h * 31 + Arrays.hashCode(sha256);
        return h * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return "HotPatchBase[originalTimeDateStamp=" + Fields.hex(originalTimeDateStamp)
                + ", originalCheckSum=" + Fields.hex(originalCheckSum)
                + ", originalSizeOfImage=" + Fields.hex(originalSizeOfImage) + ", machine=" + Fields.hex(machine)
                + ", sha256=" + HexFormat.of().formatHex(sha256) + ", name=" + name + "]";
    }
}
