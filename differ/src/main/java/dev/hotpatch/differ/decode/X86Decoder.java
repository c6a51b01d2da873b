package dev.hotpatch.differ.decode;

/**
 * A fast x86/x64 length and operand-field decoder: for one instruction it finds the length, the opcode, and where
 * the ModRM, displacement and immediate sit, which is what the differ needs to mask position-dependent fields.
 * It does not name instructions or operands (Capstone renders the few we show). Table-driven; no allocation and
 * no exceptions per call. Checked against Capstone 4 over real binaries by X86DecoderCapstoneAgreementTest.
 * One instance may be shared between threads (it holds only the mode).
 */
public final class X86Decoder {
    private static final int MAX_LENGTH = 15;

    // Table entry: bits 0-3 immediate form, then flags, then the kind.
    private static final int I_NONE = 0;
    private static final int I_8 = 1;
    private static final int I_16 = 2;
    private static final int I_Z = 3;       // 2 with operand size 16, else 4
    private static final int I_V = 4;       // B8-BF: 8 with REX.W, 2 with 66, else 4
    private static final int I_REL8 = 5;
    private static final int I_RELZ = 6;
    private static final int I_MOFFS = 7;   // A0-A3: an address sized by the address size
    private static final int I_ENTER = 8;   // imm16, imm8
    private static final int I_PTR = 9;     // 9A, EA: ptr16:32 (ptr16:16 with 66)
    private static final int I_GROUP3 = 10; // F6/F7: imm8/immz for /0 and /1 only
    private static final int I_SUFFIX = 11; // 0F 0F: 3DNow! opcode byte after the operands
    private static final int I_SSE4A = 12;  // 0F 78 register form: EXTRQ (66) / INSERTQ (F2) have imm8, imm8
    private static final int IMM_MASK = 0xF;
    private static final int MODRM = 1 << 4;
    private static final int BAD64 = 1 << 5;    // not an instruction in 64-bit mode
    private static final int BAD32 = 1 << 6;    // not an instruction in 32-bit mode
    private static final int KIND_SHIFT = 8;
    private static final int JCC = X86Insn.JCC_REL << KIND_SHIFT;

    // Legacy prefixes.
    private static final byte P_OPSIZE = 1;
    private static final byte P_ADSIZE = 2;
    private static final byte P_REP = 3;        // F2, F3
    private static final byte P_LOCK = 4;
    private static final byte P_SEGMENT = 5;

    private static final byte[] PREFIX = new byte[256];
    private static final int[] ONE = new int[256];  // one-byte map
    private static final int[] TWO = new int[256];  // 0F map

    static {
        PREFIX[0x66] = P_OPSIZE;
        PREFIX[0x67] = P_ADSIZE;
        PREFIX[0xF2] = P_REP;
        PREFIX[0xF3] = P_REP;
        PREFIX[0xF0] = P_LOCK;
        for (int b : new int[] {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65}) {
            PREFIX[b] = P_SEGMENT;
        }

        // One-byte map: the ALU block 00-3F has ModRM forms at x0-x3, x8-xB and AL/eAX immediates at x4, x5, xC, xD.
        for (int row = 0; row < 0x40; row += 8) {
            for (int i = 0; i < 4; i++) {
                ONE[row + i] = MODRM;
            }
            ONE[row + 4] = I_8;
            ONE[row + 5] = I_Z;
        }
        for (int b : new int[] {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x82,
                0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}) {
            ONE[b] |= BAD64;
        }
        set(ONE, MODRM | BAD64, 0x62, 0xC4, 0xC5);     // BOUND, LES, LDS; in 64-bit mode always EVEX / VEX
        set(ONE, MODRM, 0x63, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3, 0xF6, 0xF7, 0xFE, 0xFF);
        range(ONE, MODRM, 0x84, 0x8F);
        range(ONE, MODRM, 0xD8, 0xDF);
        ONE[0x68] = I_Z;
        ONE[0x69] = MODRM | I_Z;
        ONE[0x6A] = I_8;
        ONE[0x6B] = MODRM | I_8;
        range(ONE, I_REL8 | JCC, 0x70, 0x7F);
        ONE[0x80] = MODRM | I_8;
        ONE[0x81] = MODRM | I_Z;
        ONE[0x82] = MODRM | I_8 | BAD64;
        ONE[0x83] = MODRM | I_8;
        ONE[0x90] = X86Insn.NOP << KIND_SHIFT;  // unless REX.B (xchg r8) or F3 (pause): see decode
        ONE[0x9A] = I_PTR | BAD64;
        range(ONE, I_MOFFS, 0xA0, 0xA3);
        ONE[0xA8] = I_8;
        ONE[0xA9] = I_Z;
        range(ONE, I_8, 0xB0, 0xB7);
        range(ONE, I_V, 0xB8, 0xBF);
        ONE[0xC0] = MODRM | I_8;
        ONE[0xC1] = MODRM | I_8;
        ONE[0xC2] = I_16 | X86Insn.RET << KIND_SHIFT;
        ONE[0xC3] = X86Insn.RET << KIND_SHIFT;
        ONE[0xC6] = MODRM | I_8;
        ONE[0xC7] = MODRM | I_Z;
        ONE[0xC8] = I_ENTER;
        ONE[0xCA] = I_16 | X86Insn.RET << KIND_SHIFT;
        ONE[0xCB] = X86Insn.RET << KIND_SHIFT;
        ONE[0xCC] = X86Insn.INT3 << KIND_SHIFT;
        ONE[0xCD] = I_8;
        ONE[0xCE] = BAD64;
        ONE[0xD4] = I_8 | BAD64;
        ONE[0xD5] = I_8 | BAD64;
        range(ONE, I_REL8 | JCC, 0xE0, 0xE3);
        range(ONE, I_8, 0xE4, 0xE7);
        ONE[0xE8] = I_RELZ | X86Insn.CALL_REL << KIND_SHIFT;
        ONE[0xE9] = I_RELZ | X86Insn.JMP_REL << KIND_SHIFT;
        ONE[0xEA] = I_PTR | BAD64;
        ONE[0xEB] = I_REL8 | X86Insn.JMP_REL << KIND_SHIFT;
        ONE[0xF4] = X86Insn.HLT << KIND_SHIFT;
        ONE[0xF6] = MODRM | I_GROUP3;
        ONE[0xF7] = MODRM | I_GROUP3;

        // 0F map: ModRM unless listed; then the immediates, branches and holes.
        range(TWO, MODRM, 0x00, 0xFF);
        set(TWO, 0, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77,
                0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA);
        range(TWO, 0, 0xC8, 0xCF);
        set(TWO, BAD32 | BAD64, 0x04, 0x0A, 0x0C, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                0x7A, 0x7B);
        range(TWO, MODRM | I_8, 0x70, 0x73);
        set(TWO, MODRM | I_8, 0xA4, 0xAC, 0xBA, 0xC2, 0xC4, 0xC5, 0xC6);
        range(TWO, I_RELZ | JCC, 0x80, 0x8F);
        TWO[0x0B] = X86Insn.UD << KIND_SHIFT;
        TWO[0xB9] = MODRM | X86Insn.UD << KIND_SHIFT;
        TWO[0xFF] = MODRM | X86Insn.UD << KIND_SHIFT;
        TWO[0x0F] = MODRM | I_SUFFIX;
        TWO[0x78] = MODRM | I_SSE4A;
    }

    private static void set(int[] table, int value, int... opcodes) {
        for (int b : opcodes) {
            table[b] = value;
        }
    }

    private static void range(int[] table, int value, int from, int to) {
        for (int b = from; b <= to; b++) {
            table[b] = value;
        }
    }

    private final boolean is64;

    public X86Decoder(boolean is64) {
        this.is64 = is64;
    }

    public boolean is64() {
        return is64;
    }

    /**
     * Decodes one instruction at code[pos..limit); returns false when the bytes are not a valid instruction or it
     * would run past limit (out is then unspecified).
     */
    public boolean decode(byte[] code, int pos, int limit, X86Insn out) {
        int max = Math.min(Math.min(limit, code.length), pos + MAX_LENGTH);
        if (pos < 0 || pos >= max) {
            return false;
        }
        int p = pos;
        boolean opsize = false;
        boolean adsize = false;
        boolean lock = false;
        int rep = 0;
        int rex = 0;
        int b;
        while (true) {
            if (p >= max) {
                return false;
            }
            b = code[p] & 0xff;
            byte prefix = PREFIX[b];
            if (prefix != 0) {
                if (prefix == P_OPSIZE) {
                    opsize = true;
                } else if (prefix == P_ADSIZE) {
                    adsize = true;
                } else if (prefix == P_REP) {
                    rep = b;
                } else if (prefix == P_LOCK) {
                    lock = true;
                }
                rex = 0;    // a REX prefix counts only right before the opcode
            } else if (is64 && (b & 0xF0) == 0x40) {
                rex = b;
            } else {
                break;
            }
            p++;
        }
        out.reset();
        p++;
        if (p < max && (b == 0xC4 || b == 0xC5 || b == 0x62 || b == 0x8F)) {
            int next = code[p] & 0xff;
            boolean escape = b == 0x8F ? (next & 0x1F) >= 8 : is64 || (next & 0xC0) == 0xC0;
            if (escape) {
                if (rex != 0 || opsize || rep != 0 || lock) {
                    return false;   // VEX, EVEX and XOP forbid these prefixes (#UD)
                }
                return b == 0x62 ? evex(code, pos, p, max, adsize, out) : vex(code, pos, p, max, b, adsize, out);
            }
        }
        int entry;
        if (b != 0x0F) {
            entry = ONE[b];
            out.opcode = b;
        } else {
            if (p >= max) {
                return false;
            }
            b = code[p++] & 0xff;
            if (b == 0x38 || b == 0x3A) {
                if (p >= max) {
                    return false;
                }
                out.opcode = (b == 0x38 ? 0x200 : 0x300) | code[p++] & 0xff;
                entry = b == 0x38 ? MODRM : MODRM | I_8;
            } else {
                entry = TWO[b];
                out.opcode = 0x100 | b;
            }
        }
        if ((entry & (is64 ? BAD64 : BAD32)) != 0) {
            return false;
        }
        boolean rexW = (rex & 8) != 0;
        boolean opsize16 = opsize && !rexW;
        int immForm = entry & IMM_MASK;
        int reg = 0;
        boolean registerForm = false;
        if ((entry & MODRM) != 0) {
            boolean registerOnly = out.opcode >= 0x120 && out.opcode <= 0x123;    // MOV CR/DR ignore mod
            p = modrm(code, pos, p, max, !is64 && adsize, (rex & 2) != 0, false, registerOnly, out);
            if (p < 0) {
                return false;
            }
            int m = code[pos + out.modrmOffset] & 0xff;
            reg = m >> 3 & 7;
            registerForm = m >= 0xC0;
            if (!validForm(out.opcode, m, reg)) {
                return false;
            }
        }
        int immSize;
        switch (immForm) {
            case I_NONE -> immSize = 0;
            case I_8, I_REL8 -> immSize = 1;
            case I_16 -> immSize = 2;
            case I_Z, I_RELZ -> immSize = opsize16 ? 2 : 4;
            case I_V -> immSize = rexW ? 8 : opsize ? 2 : 4;
            case I_ENTER -> immSize = 3;
            case I_PTR -> immSize = opsize ? 4 : 6;
            case I_GROUP3 -> immSize = reg >= 2 ? 0 : b == 0xF6 ? 1 : opsize16 ? 2 : 4;
            case I_SSE4A -> immSize = registerForm && (rep == 0xF2 || rep == 0 && opsize) ? 2 : 0;
            case I_SUFFIX -> immSize = 0;
            case I_MOFFS -> {
                immSize = 0;
                out.dispOffset = p - pos;
                out.dispSize = is64 ? (adsize ? 4 : 8) : (adsize ? 2 : 4);
                out.absoluteAddress = true;
                p += out.dispSize;
            }
            default -> immSize = 0;     // no other form is in the tables
        }
        int kind = entry >> KIND_SHIFT;
        if (out.opcode == 0xFF) {
            kind = reg == 2 || reg == 3 ? X86Insn.CALL_INDIRECT : reg == 4 || reg == 5 ? X86Insn.JMP_INDIRECT : 0;
        } else if (out.opcode == 0x90) {
            kind = (rex & 1) != 0 || rep == 0xF3 ? X86Insn.OTHER : X86Insn.NOP;
        } else if (out.opcode == 0x11F) {
            kind = reg == 0 ? X86Insn.NOP : X86Insn.OTHER;
        } else if (out.opcode == 0xC7 && reg == 7) {
            kind = X86Insn.JCC_REL;    // XBEGIN rel: falls through, or goes to the abort handler
            immForm = I_RELZ;
        }
        out.kind = kind;
        if (immForm == I_REL8 || immForm == I_RELZ) {
            out.targetMask = opsize16 ? 0xFFFFL : is64 ? -1L : 0xFFFFFFFFL;
        }
        if (immSize != 0) {
            out.immOffset = p - pos;
            out.immSize = immSize;
            p += immSize;
        }
        if (immForm == I_SUFFIX) {
            p++;
        }
        if (p > max) {
            return false;
        }
        out.length = p - pos;
        return true;
    }

    /** Rejects the ModRM forms of these opcodes that raise #UD, so a sweep through data resynchronises sooner. */
    private static boolean validForm(int opcode, int m, int reg) {
        boolean register = m >= 0xC0;
        return switch (opcode) {
            case 0x8D, 0xC4, 0xC5, 0x62 -> !register;             // LEA, LES, LDS, BOUND need memory
            case 0x8F -> reg == 0;
            case 0xFE -> reg < 2;
            case 0xFF -> reg != 7 && !(register && (reg == 3 || reg == 5));
            case 0xC6, 0xC7 -> reg == 0 || m == 0xF8;             // MOV, or XABORT / XBEGIN
            case 0x1BA -> reg >= 4;
            default -> true;
        };
    }

    /** VEX (C4, C5) and XOP (8F): p is at the byte after C4/C5/8F. */
    private boolean vex(byte[] code, int pos, int p, int max, int escape, boolean adsize, X86Insn out) {
        int map;
        boolean rexX;
        if (escape == 0xC5) {
            map = 1;
            rexX = false;
            p += 1;
        } else {
            if (p + 1 >= max) {
                return false;
            }
            int b1 = code[p] & 0xff;
            map = b1 & 0x1F;
            rexX = is64 && (b1 & 0x40) == 0;
            p += 2;
            if (escape == 0xC4 ? map < 1 || map > 3 : map > 10) {
                return false;
            }
        }
        if (p >= max) {
            return false;
        }
        int op = code[p++] & 0xff;
        out.opcode = map << 8 | op;
        int immSize;
        if (map == 1 && op == 0x77) {   // VZEROUPPER, VZEROALL: no ModRM
            out.length = p - pos;
            return true;
        }
        if (map == 3 || map == 8 || map == 1 && hasMap1Imm8(op)) {
            immSize = 1;
        } else if (map == 10) {
            immSize = 4;
        } else {
            immSize = 0;
        }
        boolean vsib = map == 2 && op >= 0x90 && op <= 0x93;
        return modrmAndImm(code, pos, p, max, adsize, rexX, vsib, immSize, out);
    }

    /** EVEX (62): p is at the byte after 62. */
    private boolean evex(byte[] code, int pos, int p, int max, boolean adsize, X86Insn out) {
        if (p + 3 >= max) {
            return false;
        }
        int p0 = code[p] & 0xff;
        int p1 = code[p + 1] & 0xff;
        int map = p0 & 7;
        if ((p0 & 8) != 0 || (p1 & 4) == 0 || map == 0 || map == 4 || map == 7) {
            return false;
        }
        int op = code[p + 3] & 0xff;
        p += 4;
        out.opcode = map << 8 | op;
        int immSize = map == 3 || map == 1 && hasMap1Imm8(op) ? 1 : 0;
        boolean vsib = map == 2 && (op >= 0x90 && op <= 0x93 || op >= 0xA0 && op <= 0xA3 || op == 0xC6 || op == 0xC7);
        return modrmAndImm(code, pos, p, max, adsize, is64 && (p0 & 0x40) == 0, vsib, immSize, out);
    }

    private static boolean hasMap1Imm8(int op) {
        return op >= 0x70 && op <= 0x73 || op == 0xC2 || op >= 0xC4 && op <= 0xC6;
    }

    private boolean modrmAndImm(byte[] code, int pos, int p, int max, boolean adsize, boolean rexX, boolean vsib,
                                int immSize, X86Insn out) {
        p = modrm(code, pos, p, max, !is64 && adsize, rexX, vsib, false, out);
        if (p < 0) {
            return false;
        }
        if (immSize != 0) {
            out.immOffset = p - pos;
            out.immSize = immSize;
            p += immSize;
        }
        if (p > max) {
            return false;
        }
        out.length = p - pos;
        return true;
    }

    /**
     * Reads ModRM, SIB and displacement at p; returns the position after them (possibly past max, which the caller
     * checks), or -1 when ModRM or SIB lies past max.
     */
    private int modrm(byte[] code, int pos, int p, int max, boolean addr16, boolean rexX, boolean vsib,
                      boolean registerOnly, X86Insn out) {
        if (p >= max) {
            return -1;
        }
        int m = code[p] & 0xff;
        out.modrmOffset = p - pos;
        p++;
        int mod = m >> 6;
        int rm = m & 7;
        if (mod == 3 || registerOnly) {
            return p;
        }
        int disp = 0;
        if (addr16) {
            if (mod == 0) {
                if (rm == 6) {
                    disp = 2;
                    out.absoluteAddress = true;
                }
            } else {
                disp = mod == 1 ? 1 : 2;
            }
            out.hasIndex = rm < 4;
        } else {
            if (rm == 4) {
                if (p >= max) {
                    return -1;
                }
                int sib = code[p++] & 0xff;
                out.hasIndex = vsib || (sib >> 3 & 7) != 4 || rexX;
                if ((sib & 7) == 5 && mod == 0) {
                    disp = 4;
                    out.absoluteAddress = true;
                }
            } else if (rm == 5 && mod == 0) {
                disp = 4;
                if (is64) {
                    out.ripRelative = true;
                } else {
                    out.absoluteAddress = true;
                }
            }
            if (mod == 1) {
                disp = 1;
            } else if (mod == 2) {
                disp = 4;
            }
        }
        if (disp != 0) {
            out.dispOffset = p - pos;
            out.dispSize = disp;
            p += disp;
        }
        return p;
    }
}
