package dev.hotpatch.pe;

/**
 * ARM64 packed unwind data (a .pdata entry whose Flag is 1 or 2).
 *
 * @param flag            1 = one prolog and epilog, 2 = fragment without prolog or epilog
 * @param functionLength  FunctionLength in 4-byte instructions
 * @param regF            RegF (0 = no FP registers saved, m = m + 1 registers from d8)
 * @param regI            RegI: integer registers saved from x19
 * @param homesParameters H: x0-x7 are stored in the home area
 * @param cr              CR: 0 unchained, 1 lr saved, 2 pacibsp, 3 chained (fp, lr)
 * @param frameSize       FrameSize in units of 16 bytes
 */
public record Arm64PackedUnwind(int flag, int functionLength, int regF, int regI, boolean homesParameters, int cr,
                                int frameSize) {

    public long functionLengthBytes() {
        return functionLength * 4L;
    }

    public long frameSizeBytes() {
        return frameSize * 16L;
    }

    public boolean isFragment() {
        return flag == 2;
    }
}
