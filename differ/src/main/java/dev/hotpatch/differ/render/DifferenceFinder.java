package dev.hotpatch.differ.render;

import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.classify.Classifier;
import dev.hotpatch.differ.classify.FirstDifference;
import dev.hotpatch.differ.disasm.Disassembler;
import dev.hotpatch.differ.disasm.Instruction;
import dev.hotpatch.differ.disasm.Isa;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.msvc.CxxFrameTables;
import dev.hotpatch.differ.normalise.Normaliser;
import dev.hotpatch.pe.Machine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the first instruction where a changed function's old and new versions differ, comparing the
 * normalised instructions (masked bytes, branch targets as instruction positions, references through the
 * matching), and renders those two instructions in Capstone's syntax with every address replaced by what it
 * refers to. Capstone (details on) runs only on the two instructions shown, so explaining thousands of
 * changed functions stays cheap.
 */
public final class DifferenceFinder implements AutoCloseable {
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_])(#?-?(0x[0-9a-fA-F]+|[0-9]+))");
    private static final Pattern RIP = Pattern.compile("rip ?[+-] ?0x[0-9a-fA-F]+");

    private final Side old;
    private final Side current;
    private final Classifier classifier;

    public DifferenceFinder(ImageAnalysis a, ImageAnalysis b, Classifier classifier) throws DifferException {
        this.old = new Side(a);
        this.current = new Side(b);
        this.classifier = classifier;
    }

    public FirstDifference first(Fn fa, Fn fb) {
        List<Row> x = old.rows(fa);
        List<Row> y = current.rows(fb);
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            if (!same(fa, x, i, fb, y)) {
                return new FirstDifference(i, old.render(fa, x, i), current.render(fb, y, i));
            }
        }
        if (x.size() != y.size()) {
            return new FirstDifference(n, n < x.size() ? old.render(fa, x, n) : "(end of function)",
                    n < y.size() ? current.render(fb, y, n) : "(end of function)");
        }
        String catchesA = CxxFrameTables.catchSignature(old.image.code(), fa.entry());
        String catchesB = CxxFrameTables.catchSignature(current.image.code(), fb.entry());
        if (!catchesA.equals(catchesB)) {
            return new FirstDifference(-1, "(same instructions; C++ catch clauses: " + catchesA + ")",
                    "(same instructions; C++ catch clauses: " + catchesB + ")");
        }
        String same = "(same instructions; a function or global it refers to is not the same one)";
        return new FirstDifference(-1, same, same);
    }

    private boolean same(Fn fa, List<Row> x, int i, Fn fb, List<Row> y) {
        Row p = x.get(i);
        Row q = y.get(i);
        if (p.normHash != q.normHash || p.refCount != q.refCount || p.localRange != q.localRange
                || p.localRange >= 0 && Side.indexOf(x, p.localRange, p.localOffset) != Side.indexOf(y, q.localRange, q.localOffset)) {
            return false;
        }
        for (int k = 0; k < p.refCount; k++) {
            if (!classifier.sameToken(fa.tokenStart + p.firstRef + k, fb.tokenStart + q.firstRef + k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        old.close();
        current.close();
    }

    /** One normalised instruction; refs are numbered from the function's first reference. */
    private record Row(int range, int offset, int length, int localRange, long localOffset, int firstRef, int refCount,
                       long normHash) {}

    private static final class Side {
        final ImageAnalysis image;
        final Disassembler disassembler;
        final long base;
        /** Replays one function at a time; its buffers and decoder serve every function of the image. */
        final Normaliser normaliser;

        Side(ImageAnalysis image) throws DifferException {
            this.image = image;
            Machine m = image.code().machine();
            this.normaliser = new Normaliser(image.code(), image.functions(), Differ.decoderFor(image.code()));
            this.disassembler = Disassembler.unavailable().isPresent() ? null
                    : new Disassembler(m == Machine.ARM64 ? Isa.ARM64 : m == Machine.AMD64 ? Isa.X64 : Isa.X86);
            this.base = image.code().imageBase();
        }

        void close() {
            if (disassembler != null) {
                disassembler.close();
            }
        }

        List<Row> rows(Fn fn) {
            List<Row> rows = new ArrayList<>();
            normaliser.replay(fn, new Normaliser.Sink() {
                @Override
                public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef,
                                        int refCount, long normHash) {
                    rows.add(new Row(range, offset, length, localRange, localOffset, firstRef, refCount, normHash));
                }

                @Override
                public void undecodable(int range, int offset) {
                    rows.add(new Row(range, offset, -1, -1, -1, 0, 0, image.code().readWord(fn.rangeStart(range) + offset, 4) & 0xff));
                }
            });
            return rows;
        }

        String render(Fn fn, List<Row> rows, int i) {
            Row r = rows.get(i);
            if (r.length < 0) {
                return "(data or undecodable byte)";
            }
            String text = capstone(fn.rangeStart(r.range) + r.offset, r.length);
            StringBuilder refsText = new StringBuilder();
            if (r.localRange >= 0) {
                refsText.append(" -> instruction ").append(indexOf(rows, r.localRange, r.localOffset));
            }
            for (int k = 0; k < r.refCount; k++) {
                refsText.append(" -> ").append(image.resolver().describe(fn.tokenStart + r.firstRef + k, image.functions()));
            }
            if (refsText.length() > 0) {
                text = RIP.matcher(text).replaceAll("rip + @");
                text = NUMBER.matcher(text).replaceAll(mr -> mr.group().startsWith("#") ? "#@" : "@");
            }
            return text + refsText;
        }

        /** Rows are in (range, offset) order: a binary search finds a branch target's position. */
        static int indexOf(List<Row> rows, int range, long offset) {
            int lo = 0;
            int hi = rows.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                Row r = rows.get(mid);
                int c = r.range != range ? Integer.compare(r.range, range) : Long.compare(r.offset, offset);
                if (c == 0) {
                    return mid;
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return -1;
        }

        private String capstone(long rva, int length) {
            byte[] bytes = new byte[length];
            image.code().read(rva, length, bytes, 0);
            StringBuilder sb = new StringBuilder();
            if (disassembler == null) {
                // Without Capstone the instruction is shown as its bytes (Disassembler.unavailable() says why).
                sb.append("(bytes");
                for (byte b : bytes) {
                    sb.append(String.format(" %02x", b & 0xff));
                }
                return sb.append(')').toString();
            }
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
    }
}
