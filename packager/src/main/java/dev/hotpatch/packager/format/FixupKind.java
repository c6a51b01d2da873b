package dev.hotpatch.packager.format;

import java.util.Optional;

/**
 * How a fixup binds a site in the patch to a target in the base (docs/format.md, "Fixup kinds"). The code is the
 * value of the fixup record's Kind byte.
 */
public enum FixupKind {
    /** x86: a 4-byte absolute VA. */
    X86_ABS32(1),
    /** x64 and ARM64 (PE32+): an 8-byte absolute VA. */
    X64_ABS64(2),
    /** x86 and x64: a 4-byte displacement from the end of the instruction ({@code site + 4 + Tail}). */
    REL32(3),
    /** ARM64: ADRP at the site, ADD (immediate) PairOffset bytes later. */
    ARM64_ADRP_ADD(4),
    /** ARM64: ADRP at the site, LDR/STR (unsigned offset) PairOffset bytes later, scaled by AccessShift. */
    ARM64_ADRP_LDST(5),
    /** ARM64: B or BL at the site (imm26). */
    ARM64_BRANCH26(6),
    /** Every machine: a pointer-sized slot in the patch that receives the target's absolute VA. */
    INDIRECT(7);

    private final int code;

    FixupKind(int code) {
        this.code = code;
    }

    /** The Kind byte. */
    public int code() { return code; }

    /** The kind with that Kind byte, or empty for a value version 1 does not define. */
    public static Optional<FixupKind> of(int code) {
        for (FixupKind k : values()) {
            if (k.code == code) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The ADRP pair kinds, whose PairOffset names the second instruction. */
    public boolean isAdrpPair() {
        return this == ARM64_ADRP_ADD || this == ARM64_ADRP_LDST;
    }

    /** Whether the kind may appear in a patch for that COFF machine (0x14c, 0x8664, 0xaa64). */
    public boolean allowedOn(int machine) {
        return switch (this) {
            case X86_ABS32 -> machine == HotPatchBase.MACHINE_I386;
            case X64_ABS64 -> machine == HotPatchBase.MACHINE_AMD64 || machine == HotPatchBase.MACHINE_ARM64;
            case REL32 -> machine == HotPatchBase.MACHINE_I386 || machine == HotPatchBase.MACHINE_AMD64;
            case ARM64_ADRP_ADD, ARM64_ADRP_LDST, ARM64_BRANCH26 -> machine == HotPatchBase.MACHINE_ARM64;
            case INDIRECT -> true;
        };
    }

    /**
     * Bytes the engine writes at the site itself (the second instruction of an ADRP pair is counted separately):
     * 4 or 8 for the data kinds, 4 for REL32 and the ARM64 instructions, the pointer size for INDIRECT.
     */
    public int siteWidth(int machine) {
        return switch (this) {
            case X64_ABS64 -> 8;
            case INDIRECT -> machine == HotPatchBase.MACHINE_I386 ? 4 : 8;
            default -> 4;
        };
    }
}
