package dev.hotpatch.differ.code;

/**
 * What the differ needs to know about one decoded instruction, whatever the instruction set: its length, how
 * it moves control, the addresses it refers to, and its bytes with every position-dependent field cleared.
 * Mutable and reused for every instruction (no per-instruction objects).
 */
public final class Step {
    /** Control flow. */
    public static final int NONE = 0;
    public static final int CALL = 1;
    public static final int JUMP = 2;
    public static final int COND = 3;
    public static final int RET = 4;
    public static final int INDIRECT_JUMP = 5;
    public static final int INDIRECT_CALL = 6;
    public static final int STOP = 7;

    /** Kinds of data reference. */
    public static final int REF_DATA = 1;          // a memory access or an address computation
    public static final int REF_INDEXED = 2;       // flag: the address is the base of an indexed access (table)
    public static final int REF_PAGE = 8;          // ARM64 ADRP page that no later instruction completed

    public int length;
    public int flow;
    /** Direct branch or call target (RVA) when flow is CALL, JUMP or COND with a direct target, else -1. */
    public long branchTarget;
    /** True for alignment padding: NOP forms, INT3, ARM64 NOP / UDF #0. */
    public boolean padding;
    /** A small number standing for the opcode, for the opcode-multiset attribute. */
    public int opcode;
    /**
     * Non-zero when the instruction is hashed by this canonical form instead of its bytes: x86 relative
     * branches, whose short and long encodings (EB/E9, 7x/0F 8x) the linker picks by distance.
     */
    public long canonical;

    /** Offsets of the instruction's 4- or 8-byte displacement and immediate fields, or -1 (x86 only). */
    public int dispField;
    public int immField;
    /** True when the displacement is used with an index register (a table base). */
    public boolean dispIndexed;

    /** How a reference's address is encoded in the instruction (what a patch must fix up). */
    public static final int FIELD_NONE = 0;
    public static final int FIELD_REL32 = 1;        // x86/x64 signed 32-bit displacement from the instruction's end
    public static final int FIELD_REL8 = 2;         // x86/x64 short branch
    public static final int FIELD_ABS32 = 3;        // absolute 32-bit address (x86 operand, relocated)
    public static final int FIELD_ABS64 = 4;        // absolute 64-bit address (relocated)
    public static final int FIELD_RVA32 = 5;        // x64 image-relative disp32 used with an index register
    public static final int FIELD_BRANCH26 = 6;     // ARM64 B/BL
    public static final int FIELD_BRANCH19 = 7;     // ARM64 B.cond, CBZ/CBNZ
    public static final int FIELD_BRANCH14 = 8;     // ARM64 TBZ/TBNZ
    public static final int FIELD_ADR21 = 9;        // ARM64 ADR
    public static final int FIELD_ADRP_ADD = 10;    // ARM64 ADRP + ADD (the reference sits on the ADD)
    public static final int FIELD_ADRP_LDST = 11;   // ARM64 ADRP + LDR/STR unsigned offset
    public static final int FIELD_LITERAL19 = 12;   // ARM64 LDR (literal)

    /** The branch target's field: kind, offset and (REL32) bytes after it in the instruction. */
    public int branchFieldKind;
    public int branchFieldOffset;
    public int branchFieldTail;

    public int refCount;
    /** Per reference: the field kind, its offset in this instruction (ARM64 pairs: the ADRP's offset from this
     *  instruction, zero or negative), and the REL32 tail or the ARM64 access-size shift. */
    public final int[] refFieldKind = new int[4];
    public final int[] refFieldOffset = new int[4];
    public final int[] refFieldExtra = new int[4];
    public final long[] refTarget = new long[4];
    public final int[] refFlags = new int[4];
    public final int[] refAccessSize = new int[4];

    /** The instruction's bytes with the fields that hold addresses cleared; normLength == length. */
    public final byte[] norm = new byte[16];

    void reset() {
        length = 0;
        flow = NONE;
        branchTarget = -1;
        padding = false;
        opcode = 0;
        canonical = 0;
        refCount = 0;
        branchFieldKind = FIELD_NONE;
        branchFieldOffset = 0;
        branchFieldTail = 0;
        dispField = -1;
        immField = -1;
        dispIndexed = false;
    }

    void addRef(long target, int flags, int accessSize) {
        addRef(target, flags, accessSize, FIELD_NONE, 0, 0);
    }

    void addRef(long target, int flags, int accessSize, int fieldKind, int fieldOffset, int fieldExtra) {
        if (refCount < refTarget.length) {
            refTarget[refCount] = target;
            refFlags[refCount] = flags;
            refAccessSize[refCount] = accessSize;
            refFieldKind[refCount] = fieldKind;
            refFieldOffset[refCount] = fieldOffset;
            refFieldExtra[refCount] = fieldExtra;
            refCount++;
        }
    }

    /** Clears {@code size} bytes of the normalised copy from {@code offset}. */
    void mask(int offset, int size) {
        for (int i = offset; i < offset + size && i < length; i++) {
            norm[i] = 0;
        }
    }
}
