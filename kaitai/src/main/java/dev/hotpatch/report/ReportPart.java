package dev.hotpatch.report;

/**
 * One part of an inspect report, which renders the same facts as text and as JSON. Other modules add their own
 * parts (the packager's hot-patch tables) through {@link PeReport#PeReport(dev.hotpatch.pe.PeImage, java.util.List)}.
 */
public interface ReportPart {
    /** Appends a titled block of text (ending with a newline). */
    void text(StringBuilder out);

    /** Writes its members into the report's top-level JSON object. */
    void json(JsonWriter json);

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
