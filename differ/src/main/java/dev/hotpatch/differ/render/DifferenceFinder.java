package dev.hotpatch.differ.render;

import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.classify.FirstDifference;
import dev.hotpatch.differ.disasm.Disassembler;
import dev.hotpatch.differ.disasm.Instruction;
import dev.hotpatch.differ.disasm.Isa;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.normalise.Normaliser;
import dev.hotpatch.differ.normalise.RefTable;
import dev.hotpatch.pe.Machine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders a function as normalised instructions, in Capstone's syntax with every address replaced by what it
 * refers to, and finds the first instruction where the old and new versions differ. Used only for the
 * functions the report explains, so the cost of Capstone with details on does not touch the bulk pass.
 */
public final class DifferenceFinder implements AutoCloseable {
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_])(#?-?(0x[0-9a-fA-F]+|[0-9]+))");
    private static final Pattern RIP = Pattern.compile("rip ?[+-] ?0x[0-9a-fA-F]+");

    private final Side old;
    private final Side current;

    public DifferenceFinder(ImageAnalysis a, ImageAnalysis b) throws DifferException {
        this.old = new Side(a);
        this.current = new Side(b);
    }

    public FirstDifference first(Fn fa, Fn fb) {
        List<String> x = old.render(fa);
        List<String> y = current.render(fb);
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            if (!x.get(i).equals(y.get(i))) {
                return new FirstDifference(i, x.get(i), y.get(i));
            }
        }
        if (x.size() != y.size()) {
            return new FirstDifference(n, n < x.size() ? x.get(n) : "(end of function)",
                    n < y.size() ? y.get(n) : "(end of function)");
        }
        return new FirstDifference(-1, "(same instructions; a function or global it refers to is not the same one)",
                "(same instructions; a function or global it refers to is not the same one)");
    }

    @Override
    public void close() {
        old.disassembler.close();
        current.disassembler.close();
    }

    private static final class Side {
        final ImageAnalysis image;
        final Disassembler disassembler;
        final long base;

        Side(ImageAnalysis image) throws DifferException {
            this.image = image;
            Machine m = image.code().machine();
            this.disassembler = new Disassembler(m == Machine.ARM64 ? Isa.ARM64 : m == Machine.AMD64 ? Isa.X64 : Isa.X86);
            this.base = image.code().imageBase();
        }

        List<String> render(Fn fn) {
            RefTable refs = new RefTable();
            List<int[]> rows = new ArrayList<>();
            List<long[]> locals = new ArrayList<>();
            Normaliser n;
            try {
                n = new Normaliser(image.code(), image.functions(), Differ.decoderFor(image.code()), refs);
            } catch (DifferException e) {
                throw new IllegalStateException(e);
            }
            long[] snapshot = {fn.bodyHash, fn.refStart, fn.refEnd, fn.instructions, fn.codeBytes, fn.calls,
                    fn.branches, fn.undecodable, fn.opcodeSet, fn.firstLocalTarget, fn.entryCodeBytes};
            n.normalise(fn, new Normaliser.Sink() {
                @Override
                public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef, int refCount) {
                    rows.add(new int[] {range, offset, length, firstRef, refCount});
                    locals.add(new long[] {localRange, localOffset});
                }

                @Override
                public void undecodable(int range, int offset) {
                    rows.add(new int[] {range, offset, -1, 0, 0});
                    locals.add(new long[] {-1, -1});
                }
            });
            restore(fn, snapshot);
            List<String> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                int[] r = rows.get(i);
                long rva = fn.rangeStart(r[0]) + r[1];
                if (r[2] < 0) {
                    out.add("(undecodable byte)");
                    continue;
                }
                String text = capstone(rva, r[2]);
                StringBuilder refsText = new StringBuilder();
                long[] local = locals.get(i);
                if (local[0] >= 0) {
                    refsText.append(" -> instruction ").append(indexOf(rows, (int) local[0], (int) local[1]));
                }
                for (int k = r[3]; k < r[3] + r[4]; k++) {
                    refsText.append(" -> ").append(image.resolver().describeTarget(fn, refs.target(k), refs.flags(k), refs.accessSize(k)));
                }
                if (refsText.length() > 0) {
                    text = RIP.matcher(text).replaceAll("rip + @");
                    text = NUMBER.matcher(text).replaceAll(mr -> mr.group().startsWith("#") ? "#@" : "@");
                }
                out.add(text + refsText);
            }
            return out;
        }

        private static int indexOf(List<int[]> rows, int range, int offset) {
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i)[0] == range && rows.get(i)[1] == offset) {
                    return i;
                }
            }
            return -1;
        }

        private String capstone(long rva, int length) {
            byte[] bytes = new byte[length];
            image.code().read(rva, length, bytes, 0);
            StringBuilder sb = new StringBuilder();
            disassembler.disassemble(bytes, 0, length, base + rva, new Disassembler.Visitor() {
                @Override
                public void instruction(Instruction insn) {
                    if (sb.length() == 0) {
                        sb.append(insn.mnemonic());
                        String ops = insn.operands();
                        if (!ops.isEmpty()) {
                            sb.append(' ').append(ops);
                        }
                    }
                }
            });
            return sb.length() == 0 ? "(bytes Capstone does not decode)" : sb.toString();
        }

        private static void restore(Fn fn, long[] s) {
            fn.bodyHash = s[0];
            fn.refStart = (int) s[1];
            fn.refEnd = (int) s[2];
            fn.instructions = (int) s[3];
            fn.codeBytes = (int) s[4];
            fn.calls = (int) s[5];
            fn.branches = (int) s[6];
            fn.undecodable = (int) s[7];
            fn.opcodeSet = s[8];
            fn.firstLocalTarget = (int) s[9];
            fn.entryCodeBytes = (int) s[10];
        }
    }
}
