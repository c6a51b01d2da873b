package dev.hotpatch.differ.code;

/**
 * Decodes instructions for the bulk pass. One instance per thread, reset at every function because ARM64
 * keeps ADRP state between instructions.
 */
public interface CodeDecoder {
    /** Forgets state carried between instructions (call at the start of every function range). */
    void reset();

    /**
     * Decodes the instruction at {@code code[pos..limit)}, which sits at {@code rva}, into {@code out}.
     * Returns false when the bytes do not decode; the caller skips {@link #skip()} bytes.
     */
    boolean decode(byte[] code, int pos, int limit, long rva, Step out);

    /** Bytes to skip past an undecodable position: 1 on x86, 4 on ARM64. */
    int skip();

    /**
     * References still pending when a function range that starts at {@code rangeStart} ends (ARM64: ADRP pages
     * no instruction completed); they are reported through {@code out} as REF_PAGE references with no field
     * ({@code Step.FIELD_NONE}) whose field offset is the ADRP's offset from {@code rangeStart}, and the state is
     * cleared.
     */
    default void flushPending(long rangeStart, Step out) {
        out.reset();
    }
}
