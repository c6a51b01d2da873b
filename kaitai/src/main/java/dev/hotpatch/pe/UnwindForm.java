package dev.hotpatch.pe;

/** How a function-table entry describes its unwinding. */
public enum UnwindForm {
    /** x64: the entry points at an UNWIND_INFO. */
    X64,
    /** ARM64: the entry's second word is packed unwind data (Flag 1, or 2 for a fragment). */
    ARM64_PACKED,
    /** ARM64: the entry's second word is the RVA of an .xdata record. */
    ARM64_XDATA
}
