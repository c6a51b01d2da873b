package dev.hotpatch.packager.format;

/**
 * The one checked error for malformed hot-patch tables. It names the structure, the field, the field's offset
 * from the start of HPATCH_HEADER, and the expected and actual values, in the style
 * {@code function_record[2].flags at 0xcc: expected only the bits 0x7 (REDIRECT, NEW, HOP), found 0x10}.
 */
public final class PatchFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String structure;
    private final String field;
    private final long offset;
    private final String expected;
    private final String actual;
    private Fault fault = Fault.MALFORMED;

    /** What kind of rule the tables break, for verification reports that sort faults by kind. */
    public enum Fault {
        /** A layout rule: bounds, order, sizes, reserved fields, names. */
        MALFORMED,
        /** A record kind the format does not define: an unknown fixup kind or function-record flag bits. */
        UNKNOWN_KIND,
        /** Two records claim the same base function, trampoline bytes or fixup bytes. */
        OVERLAP,
        /** A record names an address outside the base image. */
        OUTSIDE_BASE
    }

    public PatchFormatException(String structure, String field, long offset, String expected, String actual) {
        super(format(structure, field, offset, expected, actual));
        this.structure = structure;
        this.field = field;
        this.offset = offset;
        this.expected = expected;
        this.actual = actual;
    }

    /** Tags the exception with the kind of rule broken (MALFORMED unless said otherwise); returns it. */
    public PatchFormatException fault(Fault kind) {
        this.fault = kind;
        return this;
    }

    public Fault fault() { return fault; }

    /** Structure path such as {@code hpatch_header} or {@code fixup_record[7]}. */
    public String structure() { return structure; }

    /** Field name as in docs/format.md, in snake case, such as {@code name_offset}. */
    public String field() { return field; }

    /** Offset of the field from the start of HPATCH_HEADER, or -1 when the field has no place in the tables. */
    public long offset() { return offset; }

    public String expected() { return expected; }

    public String actual() { return actual; }

    private static String format(String structure, String field, long offset, String expected, String actual) {
        String where = offset >= 0 ? " at 0x" + Long.toHexString(offset) : "";
        return structure + "." + field + where + ": expected " + expected + ", found " + actual;
    }
}
