package dev.hotpatch.pe;

/** The sixteen optional-header data directories, in table order. */
public enum DirectoryKind {
    EXPORT, IMPORT, RESOURCE, EXCEPTION, CERTIFICATE, BASE_RELOCATION, DEBUG, ARCHITECTURE,
    GLOBAL_POINTER, TLS, LOAD_CONFIG, BOUND_IMPORT, IAT, DELAY_IMPORT, CLR_RUNTIME, RESERVED;

    /** Lower-case name used in reports, such as {@code load_config}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
