package dev.hotpatch.pe;

/**
 * The one checked error for malformed PE/COFF input. It names the structure, the field, the file offset of the
 * field, and the expected and actual values, in the style
 * {@code section_header[3].ptr_raw_data at 0x1a8: expected at most 0x8c00 (end of file), found 0x9f000}.
 */
public final class PeFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String structure;
    private final String field;
    private final long offset;
    private final String expected;
    private final String actual;

    public PeFormatException(String structure, String field, long offset, String expected, String actual) {
        super(format(structure, field, offset, expected, actual));
        this.structure = structure;
        this.field = field;
        this.offset = offset;
        this.expected = expected;
        this.actual = actual;
    }

    /** Structure path such as {@code section_header[3]} or {@code export_directory}. */
    public String structure() { return structure; }

    /** Field name as in our .ksy files, such as {@code ofs_raw_data}. */
    public String field() { return field; }

    /** File offset of the field, or -1 when the field has no place in the file. */
    public long offset() { return offset; }

    public String expected() { return expected; }

    public String actual() { return actual; }

    private static String format(String structure, String field, long offset, String expected, String actual) {
        String where = offset >= 0 ? " at 0x" + Long.toHexString(offset) : "";
        return structure + "." + field + where + ": expected " + expected + ", found " + actual;
    }
}
