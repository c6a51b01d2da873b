package dev.hotpatch.differ.code;

/**
 * Decodes the ARM64 instruction classes whose fields hold addresses, from the raw 32-bit word (A64 has a
 * fixed width, so lengths are never in doubt): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, ADR, ADRP, literal loads,
 * and the ADD (immediate) / LDR / STR (unsigned offset) that complete an earlier ADRP of the same register.
 * The address-bearing bits are cleared in the normalised word, and the address becomes a reference.
 */
public final class Arm64Decoder implements CodeDecoder {
    private static final int NOP = 0xd503201f;
    private final long[] page = new long[32];
    private final boolean[] pageLive = new boolean[32];
    private final boolean[] pageUsed = new boolean[32];
    private final long[] pageSite = new long[32];

    @Override
    public void reset() {
        java.util.Arrays.fill(pageLive, false);
    }

    @Override
    public int skip() {
        return 4;
    }

    @Override
    public boolean decode(byte[] code, int pos, int limit, long rva, Step s) {
        s.reset();
        if (pos + 4 > limit) {
            return false;
        }
        int w = (code[pos] & 0xff) | (code[pos + 1] & 0xff) << 8 | (code[pos + 2] & 0xff) << 16 | (code[pos + 3] & 0xff) << 24;
        s.length = 4;
        s.opcode = w >>> 21;
        int masked = w;
        if (w == NOP || w == 0) {
            s.padding = true;
        } else if ((w & 0x7C000000) == 0x14000000) {                 // B, BL: imm26
            s.flow = (w & 0x80000000) != 0 ? Step.CALL : Step.JUMP;
            s.branchTarget = rva + ((long) (w << 6) >> 6) * 4;
            s.branchFieldKind = Step.FIELD_BRANCH26;
            masked &= ~0x03FFFFFF;
        } else if ((w & 0xFF000010) == 0x54000000 || (w & 0x7E000000) == 0x34000000) {   // B.cond, CBZ/CBNZ
            s.flow = Step.COND;
            s.branchTarget = rva + ((long) (w << 8) >> 13) * 4;
            s.branchFieldKind = Step.FIELD_BRANCH19;
            masked &= ~0x00FFFFE0;
        } else if ((w & 0x7E000000) == 0x36000000) {                 // TBZ/TBNZ: imm14
            s.flow = Step.COND;
            s.branchTarget = rva + ((long) (w << 13) >> 18) * 4;
            s.branchFieldKind = Step.FIELD_BRANCH14;
            masked &= ~0x0007FFE0;
        } else if ((w & 0xFFFFFC1F) == 0xD65F0000) {
            s.flow = Step.RET;
        } else if ((w & 0xFFFFFC1F) == 0xD61F0000) {
            s.flow = Step.INDIRECT_JUMP;
        } else if ((w & 0xFFFFFC1F) == 0xD63F0000) {
            s.flow = Step.INDIRECT_CALL;
        } else if ((w & 0xFFE0001F) == 0xD4200000) {                 // BRK
            s.flow = Step.STOP;
        } else if ((w & 0x1F000000) == 0x10000000) {                 // ADR, ADRP
            long imm = ((long) (w << 8) >> 13) << 2 | (w >>> 29 & 3);
            int rd = w & 31;
            masked &= ~0x60FFFFE0;
            if ((w & 0x80000000) == 0) {
                s.addRef(rva + imm, Step.REF_DATA, 0, Step.FIELD_ADR21, 0, 0);
                pageLive[rd] = false;
            } else {
                flushRegister(rd, s);
                page[rd] = (rva & ~0xFFFL) + (imm << 12);
                pageSite[rd] = rva;
                pageLive[rd] = true;
                pageUsed[rd] = false;
            }
        } else if ((w & 0x3B000000) == 0x18000000) {                 // LDR (literal), LDRSW, PRFM
            int opc = w >>> 30;
            boolean simd = (w & 0x04000000) != 0;
            int size = simd ? 4 << opc : (opc == 1 ? 8 : 4);
            s.addRef(rva + ((long) (w << 8) >> 13) * 4, Step.REF_DATA, size, Step.FIELD_LITERAL19, 0, 0);
            masked &= ~0x00FFFFE0;
            clearWritten(w, s);
        } else if ((w & 0x7F800000) == 0x11000000 && pageLive[w >>> 5 & 31]) {   // ADD (immediate), shift 0
            int rn = w >>> 5 & 31;
            s.addRef(page[rn] + (w >>> 10 & 0xFFF), Step.REF_DATA, 0, Step.FIELD_ADRP_ADD, (int) (pageSite[rn] - rva), 0);
            pageUsed[rn] = true;
            masked &= ~0x003FFC00;
            pageLive[w & 31] = false;
        } else if ((w & 0x3B000000) == 0x39000000 && pageLive[w >>> 5 & 31]) {   // LDR/STR (unsigned offset)
            int rn = w >>> 5 & 31;
            int size = w >>> 30;
            int opc = w >>> 22 & 3;
            boolean simd = (w & 0x04000000) != 0;
            int scale = simd && opc >= 2 && size == 0 ? 4 : size;
            s.addRef(page[rn] + ((long) (w >>> 10 & 0xFFF) << scale), Step.REF_DATA, 1 << scale, Step.FIELD_ADRP_LDST,
                    (int) (pageSite[rn] - rva), scale);
            pageUsed[rn] = true;
            masked &= ~0x003FFC00;
            if (!simd && opc != 0 && (w & 31) != rn) {
                pageLive[w & 31] = false;                            // a load overwrites Rt
            } else if (!simd && opc != 0) {
                pageLive[rn] = false;
            }
        } else {
            clearWritten(w, s);
        }
        s.norm[0] = (byte) masked;
        s.norm[1] = (byte) (masked >>> 8);
        s.norm[2] = (byte) (masked >>> 16);
        s.norm[3] = (byte) (masked >>> 24);
        return true;
    }

    /** Most A64 instructions that write a general register name it in bits 0-4; stores do not write it. */
    private void clearWritten(int w, Step s) {
        boolean loadStore = (w & 0x0A000000) == 0x08000000;
        boolean store = loadStore && (w >>> 22 & 1) == 0;
        if (!store) {
            int rd = w & 31;
            flushRegister(rd, s);
            pageLive[rd] = false;
        }
    }

    private void flushRegister(int rd, Step s) {
        if (pageLive[rd] && !pageUsed[rd]) {
            s.addRef(page[rd], Step.REF_PAGE, 0);
        }
    }

    @Override
    public void flushPending(long rangeStart, Step out) {
        out.reset();
        for (int r = 0; r < 32; r++) {
            if (pageLive[r] && !pageUsed[r]) {
                out.addRef(page[r], Step.REF_PAGE, 0, Step.FIELD_NONE, (int) (pageSite[r] - rangeStart), 0);
            }
            pageLive[r] = false;
        }
    }
}
