package dev.hotpatch.packager.format;

import dev.hotpatch.format.StructureException;

/**
 * The one checked error for malformed hot-patch tables. It names the structure, the field, the field's offset
 * from the start of HPATCH_HEADER, and the expected and actual values, in the style
 * {@code function_record[2].flags at 0xcc: expected only the bits 0x7 (REDIRECT, NEW, HOP), found 0x10}.
 */
public final class PatchFormatException extends StructureException {
    private static final long serialVersionUID = 1L;

    private Fault fault = Fault.MALFORMED;

    /** What kind of rule the tables break, for verification reports that sort faults by kind. */
    public enum Fault {
        /** A layout rule: bounds, order, sizes, reserved fields, names. */
        MALFORMED,
        /** A record kind the format does not define: an unknown fixup kind or function-record flag bits. */
        UNKNOWN_KIND,
        /** Two records claim the same base function, trampoline bytes or fixup bytes. */
        OVERLAP,
        /** A record names an address outside the base image, or a trampoline site outside the base's code. */
        OUTSIDE_BASE,
        /** A function's code or a fixup's bytes lie outside the patch sections its kind requires. */
        OUTSIDE_PATCH,
        /** A fixup writes into the tables, the headers, a data directory or a base relocation of the patch. */
        INTO_TABLES,
        /** The bytes at a fixup site are not of the instruction class (or zero field) its kind names. */
        WRONG_INSTRUCTION,
        /** A computed fixup or trampoline does not fit its field (REL32 +-2 GB, BRANCH26 +-128 MB, ADRP +-4 GB). */
        OUT_OF_REACH
    }

    /** @param offset the field's offset from the start of HPATCH_HEADER, or -1 */
    public PatchFormatException(String structure, String field, long offset, String expected, String actual) {
        super(structure, field, offset, expected, actual);
    }

    /** Tags the exception with the kind of rule broken (MALFORMED unless said otherwise); returns it. */
    public PatchFormatException fault(Fault kind) {
        this.fault = kind;
        return this;
    }

    public Fault fault() { return fault; }
}
