package dev.hotpatch.pe;

/** Where in an image a function start was found. */
public enum FunctionSource {
    /** A primary (non-fragment) entry of the exception directory. */
    PDATA,
    /** An export whose address is in an executable section (forwarders excluded). */
    EXPORT,
    /** A COFF function symbol in an executable section. */
    COFF_SYMBOL,
    /** The image's entry point. */
    ENTRY_POINT,
    /** A TLS callback. */
    TLS_CALLBACK;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
