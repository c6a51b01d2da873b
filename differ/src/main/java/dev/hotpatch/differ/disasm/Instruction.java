package dev.hotpatch.differ.disasm;

import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;

/**
 * A view of one decoded instruction in Capstone's native buffer. It is reused for every instruction of a run
 * (no per-instruction heap objects) and is valid only inside {@link Disassembler.Visitor#instruction}.
 */
public final class Instruction {
    private Pointer insn;
    private Pointer detail;
    private final Isa isa;

    Instruction(Isa isa) {
        this.isa = isa;
    }

    void moveTo(Pointer insn) {
        this.insn = insn;
        this.detail = insn.getPointer(CsLayout.INSN_DETAIL);
    }

    /** Capstone's instruction id (X86_INS_* or ARM64_INS_*). */
    public int id() {
        return insn.getInt(CsLayout.INSN_ID);
    }

    public long address() {
        return insn.getLong(CsLayout.INSN_ADDRESS);
    }

    public int size() {
        return insn.getShort(CsLayout.INSN_SIZE_FIELD) & 0xffff;
    }

    public byte byteAt(int i) {
        return insn.getByte(CsLayout.INSN_BYTES + i);
    }

    public String mnemonic() {
        return cString(CsLayout.INSN_MNEMONIC, 32);
    }

    public String operands() {
        return cString(CsLayout.INSN_OP_STR, 160);
    }

    /** True when the instruction is in the Capstone group (CS_GRP_JUMP 1, CALL 2, RET 3, BRANCH_RELATIVE 7). */
    public boolean inGroup(int group) {
        int count = detail.getByte(CsLayout.DETAIL_GROUPS_COUNT) & 0xff;
        for (int i = 0; i < count && i < 8; i++) {
            if ((detail.getByte(CsLayout.DETAIL_GROUPS + i) & 0xff) == group) {
                return true;
            }
        }
        return false;
    }

    public int operandCount() {
        return detail.getByte(isa == Isa.ARM64 ? CsLayout.ARM64_OP_COUNT : CsLayout.X86_OP_COUNT) & 0xff;
    }

    /** Operand type: x86 X86_OP_REG 1, IMM 2, MEM 3; ARM64 ARM64_OP_REG 1, IMM 2, MEM 3, ... */
    public int operandType(int i) {
        return isa == Isa.ARM64
                ? detail.getInt(CsLayout.ARM64_OPERANDS + i * CsLayout.ARM64_OPERAND_SIZE + CsLayout.ARM64_OP_TYPE)
                : detail.getInt(CsLayout.X86_OPERANDS + i * CsLayout.X86_OPERAND_SIZE + CsLayout.X86_OP_TYPE);
    }

    /** The register of a register operand, or the immediate of an immediate operand. */
    public long operandValue(int i) {
        return isa == Isa.ARM64
                ? detail.getLong(CsLayout.ARM64_OPERANDS + i * CsLayout.ARM64_OPERAND_SIZE + CsLayout.ARM64_OP_VALUE)
                : detail.getLong(CsLayout.X86_OPERANDS + i * CsLayout.X86_OPERAND_SIZE + CsLayout.X86_OP_VALUE);
    }

    /** x86: the base register of a memory operand (X86_REG_RIP 41 for RIP-relative). */
    public int x86MemBase(int i) {
        return detail.getInt(CsLayout.X86_OPERANDS + i * CsLayout.X86_OPERAND_SIZE + CsLayout.X86_MEM_BASE);
    }

    public int x86MemIndex(int i) {
        return detail.getInt(CsLayout.X86_OPERANDS + i * CsLayout.X86_OPERAND_SIZE + CsLayout.X86_MEM_INDEX);
    }

    public long x86MemDisp(int i) {
        return detail.getLong(CsLayout.X86_OPERANDS + i * CsLayout.X86_OPERAND_SIZE + CsLayout.X86_MEM_DISP);
    }

    /** x86: byte offset and size of the displacement and of the immediate inside the instruction. */
    public int x86DispOffset() {
        return detail.getByte(CsLayout.X86_ENCODING + 1) & 0xff;
    }

    public int x86DispSize() {
        return detail.getByte(CsLayout.X86_ENCODING + 2) & 0xff;
    }

    public int x86ImmOffset() {
        return detail.getByte(CsLayout.X86_ENCODING + 3) & 0xff;
    }

    public int x86ImmSize() {
        return detail.getByte(CsLayout.X86_ENCODING + 4) & 0xff;
    }

    private String cString(int offset, int max) {
        byte[] raw = insn.getByteArray(offset, max);
        int len = 0;
        while (len < max && raw[len] != 0) {
            len++;
        }
        return new String(raw, 0, len, StandardCharsets.US_ASCII);
    }
}
