package dev.hotpatch.pe;

import java.util.List;

/**
 * An ARM64 .xdata record read in full.
 *
 * @param rva             where it is
 * @param functionLength  FunctionLength in 4-byte instructions
 * @param version         Vers (0)
 * @param hasHandler      X: an exception handler RVA follows the codes
 * @param singleEpilog    E: the one epilog is described in the header
 * @param epilogCount     number of epilog scopes, or with E the index of the epilog's first code
 *                        (the extended count when the header has an extension word)
 * @param codeWords       words of unwind codes (extended when the header has an extension word)
 * @param epilogScopes    the epilog scopes (empty with E)
 * @param handlerRva      the exception handler RVA, or -1
 * @param extendedHeader  the header has its second (extension) word
 */
public record Arm64XData(long rva, int functionLength, int version, boolean hasHandler, boolean singleEpilog,
                         int epilogCount, int codeWords, List<EpilogScope> epilogScopes, byte[] unwindCodes,
                         long handlerRva, boolean extendedHeader) {

    /** end_c: the codes up to the next end describe the parent region's prolog. */
    public static final int END_C = 0xe5;

    public Arm64XData {
        epilogScopes = List.copyOf(epilogScopes);
        unwindCodes = unwindCodes.clone();
    }

    /** One epilog scope: where the epilog starts (in instructions) and the index of its first unwind code. */
    public record EpilogScope(int startOffset, int startIndex) {
        public long startOffsetBytes() {
            return startOffset * 4L;
        }
    }

    /** The unwind code bytes, padded to whole words; a copy. */
    @Override
    public byte[] unwindCodes() {
        return unwindCodes.clone();
    }

    /** Bytes from the record's start to the handler RVA: header words, epilog scopes, unwind codes. */
    public int trailerOffset() {
        return (extendedHeader ? 8 : 4) + (singleEpilog ? 0 : 4 * epilogScopes.size()) + 4 * codeWords;
    }

    /** Bytes of the record through the handler RVA (handler data not counted). */
    public int length() {
        return trailerOffset() + (hasHandler ? 4 : 0);
    }

    public long functionLengthBytes() {
        return functionLength * 4L;
    }

    /** True when the codes begin with end_c: the record describes a fragment with no prolog of its own. */
    public boolean isFragment() {
        return unwindCodes.length > 0 && (unwindCodes[0] & 0xff) == END_C;
    }
}
