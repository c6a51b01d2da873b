package dev.hotpatch.pe;

/**
 * One entry of the exception directory (.pdata): a function, or a fragment of one, with the facts about its
 * unwind information that function discovery and patchability need.
 *
 * @param beginRva        first byte of the function or fragment
 * @param endRva          one past its last byte (x64 EndAddress; ARM64 begin + FunctionLength * 4)
 * @param unwindRva       RVA of its UNWIND_INFO or .xdata record, or -1 for ARM64 packed unwind data. For an
 *                        x64 entry that points at another entry (RUNTIME_FUNCTION_INDIRECT), the unwind info
 *                        of that entry.
 * @param form            how the unwind data is encoded
 * @param fragment        true for a part of a function that is not its entry: an x64 entry whose unwind info
 *                        is chained (UNW_FLAG_CHAININFO) or indirect, an ARM64 packed entry with Flag 2, or an
 *                        ARM64 .xdata record whose unwind codes begin with end_c (its prolog is the "phantom"
 *                        prolog of the parent region, so it has none of its own)
 * @param primaryBeginRva begin RVA of the function this entry belongs to: its own begin for a primary entry,
 *                        the root of the chain for a chained or indirect x64 fragment, and -1 for an ARM64
 *                        fragment (ARM64 unwind data does not name the parent)
 * @param handlerRva      the language-specific handler that covers this entry (for a chained x64 fragment,
 *                        the primary's, which is the one the unwinder uses), or -1
 */
public record RuntimeFunction(long beginRva, long endRva, long unwindRva, UnwindForm form, boolean fragment,
                              long primaryBeginRva, long handlerRva) {

    /** Bytes covered by this entry. */
    public long length() {
        return endRva - beginRva;
    }

    public boolean contains(long rva) {
        return rva >= beginRva && rva < endRva;
    }

    public boolean hasHandler() {
        return handlerRva >= 0;
    }
}
