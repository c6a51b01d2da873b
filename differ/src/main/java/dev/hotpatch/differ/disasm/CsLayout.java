package dev.hotpatch.differ.disasm;

/**
 * Byte offsets of the Capstone 4.0.2 structures on 64-bit Linux, derived with offsetof over Debian's
 * libcapstone-dev headers and pinned by CapstoneLayoutTest, which decodes known encodings.
 */
final class CsLayout {
    private CsLayout() {}

    static final int INSN_SIZE = 240;
    static final int INSN_ID = 0;
    static final int INSN_ADDRESS = 8;
    static final int INSN_SIZE_FIELD = 16;
    static final int INSN_BYTES = 18;
    static final int INSN_MNEMONIC = 34;
    static final int INSN_OP_STR = 66;
    static final int INSN_DETAIL = 232;

    static final int DETAIL_GROUPS = 67;
    static final int DETAIL_GROUPS_COUNT = 75;
    static final int DETAIL_ARCH = 80;

    static final int X86_OP_COUNT = DETAIL_ARCH + 64;
    static final int X86_OPERANDS = DETAIL_ARCH + 72;
    static final int X86_OPERAND_SIZE = 48;
    static final int X86_ENCODING = DETAIL_ARCH + 456;
    static final int X86_OP_TYPE = 0;
    static final int X86_OP_VALUE = 8;          // reg, imm, or mem (segment, base, index, scale, disp)
    static final int X86_MEM_BASE = X86_OP_VALUE + 4;
    static final int X86_MEM_INDEX = X86_OP_VALUE + 8;
    static final int X86_MEM_SCALE = X86_OP_VALUE + 12;
    static final int X86_MEM_DISP = X86_OP_VALUE + 16;
    static final int X86_OP_ACCESS_SIZE = 32;

    static final int ARM64_OP_COUNT = DETAIL_ARCH + 6;
    static final int ARM64_OPERANDS = DETAIL_ARCH + 8;
    static final int ARM64_OPERAND_SIZE = 56;
    static final int ARM64_OP_TYPE = 24;
    static final int ARM64_OP_VALUE = 32;
}
