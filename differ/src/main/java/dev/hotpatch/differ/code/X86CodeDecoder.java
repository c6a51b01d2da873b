package dev.hotpatch.differ.code;

import dev.hotpatch.differ.decode.X86Decoder;
import dev.hotpatch.differ.decode.X86Insn;

/**
 * x86 and x64 for the bulk pass, on our fast decoder (checked against Capstone by its tests): relative
 * branches and calls become targets, RIP-relative operands references, and their fields are cleared.
 * Absolute addresses are the base-relocation table's business (the normaliser clears every relocated field);
 * an image without relocations gets them recognised by value instead. On x64, a displacement used with an
 * index register that lands inside the image is an RVA (MSVC's switch tables: {@code [base + idx*4 + rva]}).
 */
public final class X86CodeDecoder implements CodeDecoder {
    private final X86Decoder decoder;
    private final X86Insn insn = new X86Insn();
    private final ImageCode code;
    private final boolean is64;
    private final boolean byValue;
    private final long firstSectionRva;

    public X86CodeDecoder(ImageCode code) {
        this.code = code;
        this.is64 = code.is64();
        this.decoder = new X86Decoder(is64);
        this.byValue = !code.hasRelocations();
        this.firstSectionRva = code.sections().isEmpty() ? 0x1000 : code.sections().get(0).rva();
    }

    @Override
    public void reset() {}

    /**
     * 32-bit code pads with instructions that do nothing: {@code lea esi, [esi + 0]} in its 3-, 4-, 6- and
     * 7-byte forms (gcc, with or without a SIB byte and no index) and {@code mov edi, edi} (MSVC's hotpatch
     * prologue). In 64-bit mode the 32-bit forms clear the upper half of the register, so they are not padding.
     */
    private boolean isMoveToItself(byte[] bytes, int pos) {
        if (insn.modrmOffset < 0 || insn.opcode != 0x8D && insn.opcode != 0x89 && insn.opcode != 0x8B) {
            return false;
        }
        int modrm = bytes[pos + insn.modrmOffset] & 0xff;
        int mod = modrm >>> 6;
        int reg = modrm >>> 3 & 7;
        int rm = modrm & 7;
        if (insn.opcode != 0x8D) {
            return mod == 3 && reg == rm;
        }
        if (mod == 3 || insn.readDisp(bytes, pos) != 0 || mod == 0 && rm == 5) {
            return false;
        }
        if (rm != 4) {
            return rm == reg;
        }
        int sib = bytes[pos + insn.modrmOffset + 1] & 0xff;
        return (sib >>> 3 & 7) == 4 && (sib & 7) == reg && !(mod == 0 && (sib & 7) == 5);
    }

    @Override
    public int skip() {
        return 1;
    }

    @Override
    public boolean decode(byte[] bytes, int pos, int limit, long rva, Step s) {
        s.reset();
        if (!decoder.decode(bytes, pos, limit, insn)) {
            return false;
        }
        int length = insn.length;
        s.length = length;
        s.opcode = insn.opcode;
        System.arraycopy(bytes, pos, s.norm, 0, length);
        if (insn.dispSize >= 4) {
            s.dispField = insn.dispOffset;
            s.dispIndexed = insn.hasIndex;
        }
        if (insn.immSize >= 4) {
            s.immField = insn.immOffset;
        }
        switch (insn.kind) {
            case X86Insn.CALL_REL, X86Insn.JMP_REL, X86Insn.JCC_REL -> {
                s.flow = insn.kind == X86Insn.CALL_REL ? Step.CALL : insn.kind == X86Insn.JMP_REL ? Step.JUMP : Step.COND;
                long target = insn.relTarget(rva, bytes, pos);
                s.branchTarget = is64 ? target : target & 0xffffffffL;
                s.mask(insn.immOffset, insn.immSize);
                s.branchFieldKind = insn.immSize == 1 ? Step.FIELD_REL8 : Step.FIELD_REL32;
                int op = insn.opcode;
                int condition = op >= 0x70 && op <= 0x7F || op >= 0x180 && op <= 0x18F ? op & 0xF
                        : op >= 0xE0 && op <= 0xE3 ? 0x10 + op - 0xE0 : 0x20;
                s.canonical = 0x4252_0000L | (long) s.flow << 8 | condition;
                s.branchFieldOffset = insn.immOffset;
                s.branchFieldTail = length - insn.immOffset - insn.immSize;
                return true;
            }
            case X86Insn.RET -> s.flow = Step.RET;
            case X86Insn.JMP_INDIRECT -> s.flow = Step.INDIRECT_JUMP;
            case X86Insn.CALL_INDIRECT -> s.flow = Step.INDIRECT_CALL;
            case X86Insn.INT3, X86Insn.NOP -> s.padding = true;
            case X86Insn.OTHER -> s.padding = !is64 && isMoveToItself(bytes, pos);
            case X86Insn.UD, X86Insn.HLT -> s.flow = Step.STOP;
            default -> { }
        }
        if (insn.dispSize > 0) {
            if (insn.ripRelative) {
                s.addRef(rva + length + insn.readDisp(bytes, pos), Step.REF_DATA, 0, Step.FIELD_REL32, insn.dispOffset,
                        length - insn.dispOffset - insn.dispSize);
                s.mask(insn.dispOffset, insn.dispSize);
            } else if (insn.dispSize == 4 && is64 && insn.hasIndex) {
                long disp = insn.readDisp(bytes, pos);
                // MSVC puts its switch tables in .text after the function, so the RVA may well be code.
                if (disp >= firstSectionRva && disp < code.sizeOfImage()) {
                    s.addRef(disp, Step.REF_DATA | Step.REF_INDEXED, 0, Step.FIELD_RVA32,
                            insn.dispOffset, 0);
                    s.mask(insn.dispOffset, insn.dispSize);
                }
            } else if (byValue && insn.dispSize >= 4) {
                long target = code.rvaOfAddress(insn.readDisp(bytes, pos));
                if (target >= 0) {
                    s.addRef(target, Step.REF_DATA | (insn.hasIndex ? Step.REF_INDEXED : 0), 0, Step.FIELD_ABS32,
                            insn.dispOffset, 0);
                    s.mask(insn.dispOffset, insn.dispSize);
                }
            }
        }
        if (byValue && insn.immSize >= 4 && code.imageBase() >= 0x10000) {
            long target = code.rvaOfAddress(insn.readImm(bytes, pos));
            if (target >= 0) {
                s.addRef(target, Step.REF_DATA, 0, Step.FIELD_ABS32, insn.immOffset, 0);
                s.mask(insn.immOffset, insn.immSize);
            }
        }
        return true;
    }
}
