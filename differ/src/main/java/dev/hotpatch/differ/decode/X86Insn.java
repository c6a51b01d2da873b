package dev.hotpatch.differ.decode;

/**
 * One instruction as {@link X86Decoder} sees it: its length and where its position-dependent fields sit. Mutable
 * and reused for every instruction of a run, so decoding allocates nothing. All offsets are relative to the
 * instruction's first byte (its first prefix).
 */
public final class X86Insn {
    public static final int OTHER = 0;
    /** E8 rel. */
    public static final int CALL_REL = 1;
    /** E9, EB rel. */
    public static final int JMP_REL = 2;
    /** Jcc (70-7F, 0F 80-8F), LOOPcc (E0-E2), JECXZ/JRCXZ (E3), and XBEGIN (C7 F8), which falls through or jumps. */
    public static final int JCC_REL = 3;
    /** FF /2, FF /3. */
    public static final int CALL_INDIRECT = 4;
    /** FF /4, FF /5. */
    public static final int JMP_INDIRECT = 5;
    /** C3, C2, CB, CA. */
    public static final int RET = 6;
    /** CC. */
    public static final int INT3 = 7;
    /** 90 without REX.B and without F3 (that is PAUSE), whatever its other prefixes; 0F 1F /0. */
    public static final int NOP = 8;
    /** 0F 0B ud2, 0F B9 ud1, 0F FF ud0. */
    public static final int UD = 9;
    /** F4. */
    public static final int HLT = 10;

    public int length;
    /** map << 8 | opcode byte: map 0 one-byte, 1 0F, 2 0F38, 3 0F3A; VEX/EVEX/XOP give their own map (XOP 8-10). */
    public int opcode;
    /** -1 when there is no ModRM. */
    public int modrmOffset;
    /** dispSize is 0 when there is no displacement; 1, 2 or 4, or for moffs (A0-A3) 2, 4 or 8. */
    public int dispOffset;
    public int dispSize;
    /**
     * The immediate or relative branch offset; immSize 0 when none. ENTER gives its imm16 and imm8 as one field of
     * 3 bytes, EXTRQ/INSERTQ their two imm8 as one field of 2, far CALL/JMP ptr16:32 (9A, EA) as one field of 6
     * (4 with 66). The 3DNow! suffix byte is an opcode, not an immediate.
     */
    public int immOffset;
    public int immSize;
    /** 64-bit mode, mod=00 rm=101 without SIB: the target is address + length + disp32 (EIP-relative with 67). */
    public boolean ripRelative;
    /** The displacement is an absolute address (no base register), or the moffs of A0-A3. */
    public boolean absoluteAddress;
    /** The memory operand has an index register (SIB index, VSIB vector index, or 16-bit [bx/bp + si/di]). */
    public boolean hasIndex;
    public int kind;
    /** Relative branches: what the instruction pointer wraps to (32 bits in 32-bit mode, 16 with operand size 16). */
    long targetMask;

    void reset() {
        length = 0;
        opcode = 0;
        modrmOffset = -1;
        dispOffset = 0;
        dispSize = 0;
        immOffset = 0;
        immSize = 0;
        ripRelative = false;
        absoluteAddress = false;
        hasIndex = false;
        kind = OTHER;
        targetMask = -1L;
    }

    /** For the *_REL kinds: address + length + the sign-extended offset, wrapped as the processor wraps it. */
    public long relTarget(long address, byte[] code, int pos) {
        return (address + length + readImm(code, pos)) & targetMask;
    }

    /** The displacement, sign-extended; the moffs of A0-A3 zero-extended. 0 when there is none. */
    public long readDisp(byte[] code, int pos) {
        if (dispSize == 0) {
            return 0;
        }
        long raw = readLittleEndian(code, pos + dispOffset, dispSize);
        return modrmOffset < 0 ? raw : signExtend(raw, dispSize);
    }

    /** The immediate, sign-extended from its size (a multi-part immediate is read as one little-endian field). */
    public long readImm(byte[] code, int pos) {
        return immSize == 0 ? 0 : signExtend(readLittleEndian(code, pos + immOffset, immSize), immSize);
    }

    private static long readLittleEndian(byte[] code, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (code[at + i] & 0xff);
        }
        return v;
    }

    private static long signExtend(long v, int size) {
        int shift = 64 - 8 * size;
        return v << shift >> shift;
    }

    @Override
    public String toString() {
        return "X86Insn[length=" + length + ", opcode=" + Integer.toHexString(opcode) + ", modrm=" + modrmOffset
                + ", disp=" + dispOffset + "/" + dispSize + ", imm=" + immOffset + "/" + immSize
                + (ripRelative ? ", rip" : "") + (absoluteAddress ? ", absolute" : "") + (hasIndex ? ", index" : "")
                + ", kind=" + kind + "]";
    }
}
