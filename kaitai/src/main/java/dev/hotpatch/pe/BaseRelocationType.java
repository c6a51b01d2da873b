package dev.hotpatch.pe;

/**
 * Base relocation types (the high 4 bits of a base relocation entry). Codes 5 and 7 mean different things per
 * machine; they are named for ARM, the only machine this toolchain supports that uses them.
 */
public enum BaseRelocationType {
    /** Padding that aligns a block; not a site. */
    ABSOLUTE(0),
    /** High 16 bits of a 32-bit address. */
    HIGH(1),
    /** Low 16 bits of a 32-bit address. */
    LOW(2),
    /** A whole 32-bit address (x86, ARM). */
    HIGHLOW(3),
    /** High 16 bits of a 32-bit address, adjusted by the 16-bit parameter in the next entry. */
    HIGHADJ(4),
    /** ARM MOVW/MOVT pair holding a 32-bit address (MIPS_JMPADDR on MIPS). */
    ARM_MOV32(5),
    RESERVED_6(6),
    /** Thumb-2 MOVW/MOVT pair holding a 32-bit address. */
    THUMB_MOV32(7),
    MACHINE_SPECIFIC_8(8),
    MACHINE_SPECIFIC_9(9),
    /** A whole 64-bit address (x64, ARM64). */
    DIR64(10),
    UNKNOWN_11(11),
    UNKNOWN_12(12),
    UNKNOWN_13(13),
    UNKNOWN_14(14),
    UNKNOWN_15(15);

    private static final BaseRelocationType[] BY_CODE = values();

    private final int code;

    BaseRelocationType(int code) {
        this.code = code;
    }

    /** The 4-bit code as written in the entry. */
    public int code() {
        return code;
    }

    /** The type of a 4-bit code (0..15). */
    public static BaseRelocationType of(int code) {
        return BY_CODE[code & 0xf];
    }

    /** True for the types x86, x64 and ARM64 images use (besides ABSOLUTE padding). */
    public boolean isCommon() {
        return this == HIGH || this == LOW || this == HIGHLOW || this == HIGHADJ || this == DIR64
                || this == ARM_MOV32 || this == THUMB_MOV32;
    }
}
