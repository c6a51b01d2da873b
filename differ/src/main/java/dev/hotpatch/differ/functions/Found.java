package dev.hotpatch.differ.functions;

/** Which source found a function (a function found by several sources lists them all). */
public enum Found {
    PDATA("pdata"),
    PDB("pdb"),
    COFF_SYMBOL("coff_symbol"),
    EXPORT("export"),
    ENTRY_POINT("entry_point"),
    TLS_CALLBACK("tls_callback"),
    CALL_TARGET("call_target"),
    POINTER("pointer"),
    GAP("gap");

    private final String label;

    Found(String label) {
        this.label = label;
    }

    /** The name used in reports. */
    public String label() {
        return label;
    }
}
