package dev.hotpatch.format;

/**
 * A checked error for bytes that break a layout rule, naming the structure, the field, the field's offset, and the
 * expected and actual values, in the style
 * {@code section_header[3].ptr_raw_data at 0x1a8: expected at most 0x8c00 (end of file), found 0x9f000}.
 * Each format has its own subclass (PE/COFF input, hot-patch tables), so callers can tell them apart.
 */
public abstract class StructureException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String structure;
    private final String field;
    private final long offset;
    private final String expected;
    private final String actual;

    protected StructureException(String structure, String field, long offset, String expected, String actual) {
        super(format(structure, field, offset, expected, actual));
        this.structure = structure;
        this.field = field;
        this.offset = offset;
        this.expected = expected;
        this.actual = actual;
    }

    /** Structure path such as {@code section_header[3]} or {@code fixup_record[7]}. */
    public String structure() { return structure; }

    /** Field name as in the layout (our .ksy files, docs/format.md), such as {@code ofs_raw_data}. */
    public String field() { return field; }

    /** Offset of the field (in the file, or in the structure the format says), or -1 when it has no place. */
    public long offset() { return offset; }

    public String expected() { return expected; }

    public String actual() { return actual; }

    private static String format(String structure, String field, long offset, String expected, String actual) {
        String where = offset >= 0 ? " at 0x" + Long.toHexString(offset) : "";
        return structure + "." + field + where + ": expected " + expected + ", found " + actual;
    }
}
