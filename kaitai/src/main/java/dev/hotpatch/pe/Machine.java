package dev.hotpatch.pe;

/** The machine types this toolchain knows by name (COFF file header Machine field). */
public enum Machine {
    I386(0x14c, "x86"),
    AMD64(0x8664, "x64"),
    ARM64(0xaa64, "arm64"),
    ARMNT(0x1c4, "arm"),
    ARM64EC(0xa641, "arm64ec"),
    ARM64X(0xa64e, "arm64x"),
    UNKNOWN(-1, "unknown");

    private final int code;
    private final String shortName;

    Machine(int code, String shortName) {
        this.code = code;
        this.shortName = shortName;
    }

    public int code() { return code; }

    /** The name used on the command line and in reports: x86, x64, arm64. */
    public String shortName() { return shortName; }

    public static Machine of(int code) {
        for (Machine m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return UNKNOWN;
    }
}
