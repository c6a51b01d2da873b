package dev.hotpatch.packager.format;

import dev.hotpatch.differ.decode.X86Decoder;
import dev.hotpatch.differ.decode.X86Insn;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;

import java.util.List;

/**
 * Rule 17 of docs/format.md, section 2.7: the bytes at each fixup site are of the class its kind names, with the
 * field the engine writes still zero. ARM64: a B/BL for BRANCH26; an ADRP at the site and, PairOffset bytes later,
 * an ADD (immediate) or a LDR/STR (unsigned offset) whose base register is the ADRP's and whose scale is the
 * AccessShift. x86/x64 in code: the site is the 4-byte displacement or relative operand of an instruction for
 * REL32 (a call, jump or jcc rel32, or on x64 a RIP-relative operand), and Tail is the bytes of that instruction
 * after the field; the 4-byte displacement or immediate for X86_ABS32; the 8-byte immediate or moffs for X64_ABS64.
 *
 * <p>x86 instruction boundaries come from a linear sweep of the function record whose code holds the site (one
 * function decoded at a time); a site outside every record's first range (a gcc .cold part, a handler stub) is
 * accepted when an instruction starting in the 15 bytes before it has the field at the site.
 */
final class FixupInstructions {
    private static final int MAX_X86_LENGTH = 15;

    private final PeImage patch;
    private final List<FunctionRecord> functions;
    /** Which function records' code keeps rule 14 (only those are decoded). */
    private final boolean[] soundCode;
    private final X86Decoder x86;
    private final X86Insn insn = new X86Insn();

    /** The function whose instruction starts are cached (-1: none), and the starts its sweep found. */
    private int swept = -1;
    private byte[] sweptCode;
    private int[] starts = new int[0];
    private int startCount;

    FixupInstructions(PeImage patch, List<FunctionRecord> functions, boolean[] soundCode, int machine) {
        this.patch = patch;
        this.functions = functions;
        this.soundCode = soundCode;
        this.x86 = machine == HotPatchBase.MACHINE_ARM64 ? null : new X86Decoder(machine == HotPatchBase.MACHINE_AMD64);
    }

    /** Why the site does not hold what the kind needs, or null when it does. {@code inCode}: an executable section. */
    String problem(FixupRecord x, boolean inCode) {
        try {
            return switch (x.kind()) {
                case ARM64_BRANCH26 -> branch26(word(x.siteRva()));
                case ARM64_ADRP_ADD, ARM64_ADRP_LDST -> adrpPair(x, word(x.siteRva()), word(x.siteRva() + x.pairOffset()));
                case REL32 -> x86Field(x, true);
                case X86_ABS32, X64_ABS64 -> inCode ? x86Field(x, false) : zeroField(x);
                case INDIRECT -> zeroField(x);
            };
        } catch (PeFormatException e) {
            return "bytes the image holds, found " + e.getMessage();
        }
    }

    private int word(long rva) throws PeFormatException {
        byte[] b = patch.readVirtual(rva, 4);
        return b[0] & 0xff | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    private static String branch26(int w) {
        if ((w & 0x7C000000) != 0x14000000) {
            return String.format("a B or BL (0x14000000 / 0x94000000 with imm26 0), found 0x%08x", w);
        }
        return (w & 0x03FFFFFF) != 0 ? String.format("a B or BL with imm26 0 (the engine writes it), found 0x%08x", w)
                : null;
    }

    private static String adrpPair(FixupRecord x, int adrp, int second) {
        if ((adrp & 0x9F000000) != 0x90000000 || (adrp & 0x60FFFFE0) != 0) {
            return String.format("an ADRP with a zero immediate, found 0x%08x", adrp);
        }
        boolean add = x.kind() == FixupKind.ARM64_ADRP_ADD;
        if (add ? (second & 0x7FC00000) != 0x11000000 : (second & 0x3B000000) != 0x39000000) {
            return String.format("%s at PairOffset 0x%x, found 0x%08x", add ? "an ADD (immediate)"
                    : "a LDR/STR (unsigned offset)", x.pairOffset(), second);
        }
        if ((second & 0x003FFC00) != 0) {
            return String.format("imm12 0 in the instruction at PairOffset 0x%x (the engine writes it), found 0x%08x",
                    x.pairOffset(), second);
        }
        if ((second >>> 5 & 0x1F) != (adrp & 0x1F)) {
            return String.format("the instruction at PairOffset 0x%x based on the ADRP's register x%d, found x%d",
                    x.pairOffset(), adrp & 0x1F, second >>> 5 & 0x1F);
        }
        if (!add) {
            int size = second >>> 30 & 3;
            int scale = (second & 1 << 26) != 0 && (second & 1 << 23) != 0 ? 4 : size;
            if (scale != x.accessShift()) {
                return String.format("a load or store of 2^%d bytes (AccessShift), found one of 2^%d (0x%08x)",
                        x.accessShift(), scale, second);
            }
        }
        return null;
    }

    private String zeroField(FixupRecord x) throws PeFormatException {
        int width = x.kind().siteWidth(machineOf());
        for (byte b : patch.readVirtual(x.siteRva(), width)) {
            if (b != 0) {
                return "a field of " + width + " zero bytes (the engine writes it), found a non-zero byte there";
            }
        }
        return null;
    }

    private int machineOf() {
        return x86 == null ? HotPatchBase.MACHINE_ARM64 : x86.is64() ? HotPatchBase.MACHINE_AMD64 : HotPatchBase.MACHINE_I386;
    }

    /** REL32 (relative) or ABS32/ABS64 in code: the field at the site is an operand of the instruction there. */
    private String x86Field(FixupRecord x, boolean relative) throws PeFormatException {
        String zero = zeroField(x);
        if (zero != null) {
            return zero;
        }
        int f = containingFunction(x.siteRva());
        if (f >= 0) {
            sweep(f);
            int offset = (int) (x.siteRva() - functions.get(f).patchRva());
            if (offset < sweptEnd()) {      // the sweep reached the site: its instruction boundaries decide
                int start = starts[lastStartAtOrBefore(offset)];
                x86.decode(sweptCode, start, sweptCode.length, insn);
                return matches(x, relative, offset - start) ? null : expected(x, relative) + String.format(
                        ", found the site at byte %d of a %d-byte instruction", offset - start, insn.length);
            }
        }
        return nearby(x, relative) ? null : expected(x, relative) + ", found no instruction with that operand at the site";
    }

    private static String expected(FixupRecord x, boolean relative) {
        return relative ? "the 4-byte relative operand of a call, jmp or jcc rel32, or of a RIP-relative operand,"
                + " followed by Tail (" + x.tail() + ") bytes of the instruction"
                : "the " + (x.kind() == FixupKind.X64_ABS64 ? "8-byte immediate or moffs" : "4-byte displacement or immediate")
                + " of an instruction";
    }

    /** Whether the decoded instruction has the kind's field {@code at} bytes from its start. */
    private boolean matches(FixupRecord x, boolean relative, long at) {
        if (relative) {
            boolean rel = insn.immSize == 4 && insn.immOffset == at && (insn.kind == X86Insn.CALL_REL
                    || insn.kind == X86Insn.JMP_REL || insn.kind == X86Insn.JCC_REL);
            boolean rip = insn.ripRelative && insn.dispSize == 4 && insn.dispOffset == at;
            return (rel || rip) && at + 4 + x.tail() == insn.length;
        }
        int width = x.kind() == FixupKind.X64_ABS64 ? 8 : 4;
        boolean branch = insn.kind == X86Insn.CALL_REL || insn.kind == X86Insn.JMP_REL || insn.kind == X86Insn.JCC_REL;
        return insn.dispSize == width && insn.dispOffset == at && !insn.ripRelative
                || insn.immSize == width && insn.immOffset == at && !branch;
    }

    /** A site outside every record's first range: some instruction starting up to 15 bytes before has the field. */
    private boolean nearby(FixupRecord x, boolean relative) throws PeFormatException {
        long from = Math.max(0, x.siteRva() - (MAX_X86_LENGTH - 1));
        var s = patch.sectionAt(x.siteRva());
        if (s.isEmpty()) {
            return false;
        }
        from = Math.max(from, s.get().rva());
        int length = (int) (x.siteRva() - from) + MAX_X86_LENGTH;
        long available = s.get().rva() + Math.min(s.get().extent(), s.get().mappedSize()) - from;
        byte[] code = patch.readVirtual(from, (int) Math.min(length, available));
        for (int k = 0; k <= x.siteRva() - from; k++) {
            if (x86.decode(code, k, code.length, insn) && matches(x, relative, x.siteRva() - from - k)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The function record whose first range [PatchRva, PatchRva + PatchSize) holds {@code rva}, or -1 (also when
     * that record's code breaks rule 14: it is not decoded).
     */
    private int containingFunction(long rva) {
        int lo = 0;
        int hi = functions.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (functions.get(mid).patchRva() <= rva) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return -1;
        }
        FunctionRecord f = functions.get(found);
        return soundCode[found] && rva < f.patchRva() + f.patchSize() ? found : -1;
    }

    /** Decodes function {@code f} from its entry until its end or the first byte that is no instruction. */
    private void sweep(int f) throws PeFormatException {
        if (swept == f) {
            return;
        }
        FunctionRecord r = functions.get(f);
        sweptCode = patch.readVirtual(r.patchRva(), (int) r.patchSize());
        startCount = 0;
        int pos = 0;
        while (pos < sweptCode.length && x86.decode(sweptCode, pos, sweptCode.length, insn)) {
            if (startCount == starts.length) {
                starts = java.util.Arrays.copyOf(starts, Math.max(64, starts.length * 2));
            }
            starts[startCount++] = pos;
            pos += insn.length;
        }
        swept = f;
    }

    /** Where the sweep stopped: the function's end, or the first byte it could not decode. */
    private int sweptEnd() {
        if (startCount == 0) {
            return 0;
        }
        x86.decode(sweptCode, starts[startCount - 1], sweptCode.length, insn);
        return starts[startCount - 1] + insn.length;
    }

    private int lastStartAtOrBefore(int offset) {
        int lo = 0;
        int hi = startCount - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
