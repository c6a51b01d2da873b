package dev.hotpatch.packager.format;

import dev.hotpatch.differ.decode.X86Decoder;
import dev.hotpatch.differ.decode.X86Insn;
import dev.hotpatch.pe.CoffSymbol;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static dev.hotpatch.packager.format.Fields.hex;

/**
 * Rule 19 of docs/format.md, section 2.7, checked with the base in hand: each trampoline site lies in the
 * file-backed bytes of one executable section of the base; where the base has a function table (x64, ARM64), the
 * replaced function's entry is BaseRva itself (not the middle of a function), the bytes a jump or B overwrites lie
 * inside that one function or, past a function shorter than the jump, over padding (nop, int3) no function holds,
 * and a HOP's 5 padding bytes lie outside every function and hold only padding (0xCC or
 * 0x90). Trampoline sites do not overlap one another (rule 8, the table reader).
 */
final class BaseSiteRules {
    private static final int MAX_X86_LENGTH = 15;

    private BaseSiteRules() {}

    static List<PatchFormatException> check(HotPatchTables tables, long functionOffset, PeImage base) {
        List<PatchFormatException> broken = new ArrayList<>();
        RuntimeFunctions table = base.machine() == Machine.I386 ? RuntimeFunctions.empty() : base.runtimeFunctions();
        long[] named = table.isEmpty() && tables.functions().stream().anyMatch(FunctionRecord::redirect)
                ? namedStarts(base) : new long[0];
        for (int i = 0; i < tables.functions().size() && broken.size() < PatchLimits.MAX_REPORTED_PROBLEMS; i++) {
            FunctionRecord f = tables.functions().get(i);
            if (!f.redirect()) {
                continue;
            }
            String problem = site(f, base, table, named);
            if (problem != null) {
                broken.add(new PatchFormatException("function_record[" + i + "]", "site_rva",
                        functionOffset + (long) i * TableLayout.Function.LENGTH + TableLayout.Function.SITE_RVA,
                        problem, hex(f.siteRva()) + "+" + f.siteSize())
                        .fault(PatchFormatException.Fault.OUTSIDE_BASE));
            }
        }
        return broken;
    }

    /**
     * Whether [from, to) is padding after a function (a jump may overwrite the padding after a function shorter than
     * itself): no function holds it, and x86 decoding from {@code from} finds only nop and int3 instructions up to
     * {@code to} or past it.
     */
    private static boolean paddingAfter(PeImage base, RuntimeFunctions table, long from, long to) {
        if (base.machine() == Machine.ARM64) {
            return false;
        }
        try {
            Optional<Section> s = base.sectionAt(from);
            if (s.isEmpty()) {
                return false;
            }
            long available = s.get().rva() + s.get().mappedSize() - from;
            if (available < to - from) {
                return false;          // padding the file does not hold
            }
            byte[] code = base.readVirtual(from, (int) Math.min(available, to - from + MAX_X86_LENGTH));
            X86Decoder decoder = new X86Decoder(base.is64Bit());
            X86Insn insn = new X86Insn();
            for (int p = 0; from + p < to; p += insn.length) {
                if (table.indexOf(from + p) >= 0 || !decoder.decode(code, p, code.length, insn)
                        || insn.kind != X86Insn.NOP && insn.kind != X86Insn.INT3) {
                    return false;
                }
            }
            return true;
        } catch (PeFormatException e) {
            return false;
        }
    }

    /**
     * The function starts the base names by exports and COFF function symbols, sorted (labels do not count:
     * compilers leave them inside functions); one pass over each table, whatever the number of records.
     */
    private static long[] namedStarts(PeImage base) {
        LongStream.Builder starts = LongStream.builder();
        base.exports().ifPresent(t -> t.entries().stream().filter(e -> !e.isForwarder())
                .forEach(e -> starts.add(e.rva())));
        for (CoffSymbol symbol : base.symbols().list()) {
            if (symbol.isFunction() && symbol.hasRva()) {
                starts.add(symbol.rva());
            }
        }
        return starts.build().sorted().distinct().toArray();
    }

    /** A named start in [from, to), or -1. */
    private static long namedStart(long[] starts, long from, long to) {
        int i = Arrays.binarySearch(starts, from);
        i = i < 0 ? -i - 1 : i;
        return i < starts.length && starts[i] < to ? starts[i] : -1;
    }

    /** What the site breaks, or null. */
    private static String site(FunctionRecord f, PeImage base, RuntimeFunctions table, long[] named) {
        Optional<Section> s = base.sectionAt(f.siteRva());
        if (s.isEmpty() || !s.get().isExecutable()
                || f.siteRva() + f.siteSize() > s.get().rva() + s.get().mappedSize()) {
            return "a trampoline site inside the file-backed bytes of one executable section of the base (rule 19)"
                    + s.map(x -> ", not in " + x.name()).orElse("");
        }
        long entry = f.baseRva();
        long entryEnd = f.siteRva() + f.siteSize();
        if (!table.isEmpty()) {
            int k = table.indexOf(entry);
            if (k >= 0 && table.beginRva(k) != entry) {
                return "a site at a base function's entry (rule 19); BaseRva " + hex(entry)
                        + " is inside the function at " + hex(table.beginRva(k));
            }
            if (k >= 0 && entryEnd > table.endRva(k) && !paddingAfter(base, table, table.endRva(k), entryEnd)) {
                return "a site inside one base function, or running past its end only over padding (rule 19); the"
                        + " function at " + hex(entry) + " ends at " + hex(table.endRva(k));
            }
            for (long b = entry + 1; b < entryEnd; b++) {
                if (table.indexOf(b) >= 0 && table.beginRva(table.indexOf(b)) == b) {
                    return "a site inside one base function (rule 19); another function begins at " + hex(b);
                }
            }
        }
        if (table.isEmpty()) {
            // No function table (x86, ARM64 builds without .pdata): the function starts the base names.
            long other = namedStart(named, f.siteRva(), entry);
            if (other < 0) {
                other = namedStart(named, entry + 1, entryEnd);
            }
            if (other >= 0) {
                return "a site inside one base function (rule 19); the base names a function at " + hex(other);
            }
        }
        if (f.hop()) {
            try {
                byte[] padding = base.readVirtual(f.siteRva(), FunctionRecord.HOP_PADDING);
                for (int p = 0; p < padding.length; p++) {
                    if (padding[p] != (byte) 0xCC && padding[p] != (byte) 0x90
                            || !table.isEmpty() && table.indexOf(f.siteRva() + p) >= 0) {
                        return "HOP padding outside every base function, holding only 0xCC or 0x90 (rule 19); the"
                                + " byte at " + hex(f.siteRva() + p) + " is " + hex(padding[p] & 0xff)
                                + (!table.isEmpty() && table.indexOf(f.siteRva() + p) >= 0 ? " inside a function" : "");
                    }
                }
            } catch (PeFormatException e) {
                return "HOP padding inside the base image (rule 19)";
            }
        }
        return null;
    }
}
