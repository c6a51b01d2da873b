package dev.hotpatch.differ.classify;

import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.Names;
import dev.hotpatch.differ.match.Matching;
import dev.hotpatch.differ.msvc.CxxFrameTables;
import dev.hotpatch.differ.resolve.Global;
import dev.hotpatch.differ.resolve.Tokens;
import dev.hotpatch.pe.ExportEntry;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.Section;
import dev.hotpatch.pe.TlsDirectory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides SAME, CHANGED, NEW or DELETED for every function and global, and finds what makes the
 * difference unsafe to hotpatch, said in terms of functions and globals.
 */
public final class Classifier {
    private final ImageAnalysis a;
    private final ImageAnalysis b;
    private final Matching m;
    private final List<Finding> findings = new ArrayList<>();

    public static Classifier of(ImageAnalysis oldImage, ImageAnalysis newImage, Matching matching) {
        return new Classifier(oldImage, newImage, matching);
    }

    /** True when token {@code p} of the old image and token {@code q} of the new refer to the same thing. */
    public boolean sameToken(int p, int q) {
        var ta = a.tokens();
        var tb = b.tokens();
        return sameToken(ta.kind(p), ta.value(p), ta.offset(p), tb.kind(q), tb.value(q), tb.offset(q));
    }

    private Classifier(ImageAnalysis a, ImageAnalysis b, Matching m) {
        this.a = a;
        this.b = b;
        this.m = m;
    }

    public DiffResult run() {
        List<FunctionDiff> functions = new ArrayList<>();
        int same = 0;
        for (Fn fa : a.functions().functions()) {
            int y = m.newOf(fa.index());
            if (fa.thunkKind != 0 && (y < 0 || b.function(y).thunkKind != 0) || fa.codeBytes == 0) {
                continue;   // thunks stand for their target; callers compare that
            }
            if (y < 0) {
                functions.add(diff(Status.DELETED, fa, null));
            } else if (same(fa, b.function(y))) {
                same++;
            } else {
                functions.add(diff(Status.CHANGED, fa, b.function(y)).withMethod(m.method(fa.index())));
            }
        }
        for (Fn fb : b.functions().functions()) {
            if (m.oldOf(fb.index()) < 0 && fb.thunkKind == 0 && fb.codeBytes > 0) {
                functions.add(diff(Status.NEW, null, fb));
            }
        }
        functions.sort(Comparator.comparing(FunctionDiff::status).thenComparing(FunctionDiff::name)
                .thenComparingLong(FunctionDiff::newRva).thenComparingLong(FunctionDiff::oldRva));
        List<GlobalDiff> globals = globals(functions);
        if (a.code().machine() != b.code().machine()) {
            findings.add(new Finding(Finding.Kind.MACHINE_CHANGED, b.code().machine().shortName(),
                    "the new image is for " + b.code().machine().shortName() + " but the old one for "
                            + a.code().machine().shortName() + ".",
                    "diff two builds for the same machine."));
        }
        Map<String, Long> oldExports = exportsOf(a);
        Map<String, Long> newExports = exportsOf(b);
        exports(oldExports, newExports);
        entryPoint();
        tls();
        resources();
        trampolines(functions);
        return new DiffResult(summary(a), summary(b), functions, same, globals, newImports(),
                removedExports(oldExports, newExports), List.copyOf(findings));
    }

    private static DiffResult.ImageSummary summary(ImageAnalysis x) {
        long undecodable = 0;
        for (Fn f : x.functions().functions()) {
            undecodable += f.undecodable;
        }
        return new DiffResult.ImageSummary(x.path().toString(), x.code().machine().shortName(), x.functions().size(),
                x.functions().countsBySource(), x.functions().coverage(), x.instructions(), undecodable,
                x.warnings());
    }

    private static FunctionDiff diff(Status status, Fn fa, Fn fb) {
        Fn named = fb != null && fb.named() ? fb : fa != null && fa.named() ? fa : fb != null ? fb : fa;
        return new FunctionDiff(status, named.displayName(), named.symbol(), fa == null ? -1 : fa.index(),
                fb == null ? -1 : fb.index(), fa == null ? -1 : fa.entry(), fb == null ? -1 : fb.entry(),
                fa == null ? -1 : fa.codeBytes, fb == null ? -1 : fb.codeBytes, null, null,
                (fb != null ? fb : fa).foundBy());
    }

    /** Same normalised body, and every reference refers to the same thing (through the matching). */
    boolean same(Fn fa, Fn fb) {
        if (fa.bodyHash != fb.bodyHash || fa.tokenEnd - fa.tokenStart != fb.tokenEnd - fb.tokenStart) {
            return false;
        }
        Tokens ta = a.tokens();
        Tokens tb = b.tokens();
        for (int i = 0; i < fa.tokenEnd - fa.tokenStart; i++) {
            int p = fa.tokenStart + i;
            int q = fb.tokenStart + i;
            if (!sameToken(ta.kind(p), ta.value(p), ta.offset(p), tb.kind(q), tb.value(q), tb.offset(q))) {
                return false;
            }
        }
        // MSVC-ABI catch clauses live in the FuncInfo, not in the code: the same code can catch other types.
        return CxxFrameTables.catchSignature(a.code(), fa.entry()).equals(CxxFrameTables.catchSignature(b.code(), fb.entry()));
    }

    private boolean sameToken(long ka, long va, long oa, long kb, long vb, long ob) {
        if (ka != kb || oa != ob) {
            return false;
        }
        if (ka == Tokens.FUNCTION) {
            return m.newOf((int) va) == vb;
        }
        if (ka == Tokens.GLOBAL) {
            int matched = m.newGlobalOf((int) va);
            if (matched >= 0 || m.oldGlobalOf((int) vb) >= 0) {
                return matched == vb;
            }
            // Neither side matched: globals only data points at (found while comparing initial values).
            return sameGlobalBytes((int) va, (int) vb);
        }
        if (ka == Tokens.LITERAL) {
            return sameLiteral((int) va, (int) vb, 0);
        }
        return ka == Tokens.PAGE || va == vb;
    }

    private final Map<Long, Boolean> literalVerdicts = new java.util.HashMap<>();

    /**
     * Two literals are the same when their bytes agree over the shorter of their extents (an extent ends at
     * the next address anything refers to, which moves when unrelated data is added) and the pointers inside
     * lead to the same things; pointers in pointed-to literals are compared by bytes only.
     */
    private boolean sameLiteral(int x, int y, int depth) {
        long key = ((long) x << 32 | y) * 0x9E3779B97F4A7C15L;   // spread: Long.hashCode folds the halves
        Boolean known = depth == 0 ? literalVerdicts.get(key) : null;
        if (known != null) {
            return known;
        }
        int length = Math.min(a.resolver().literalLength(x), b.resolver().literalLength(y));
        List<long[]> px = new ArrayList<>();
        List<long[]> py = new ArrayList<>();
        boolean same = sameBytesWithoutPointers(a.resolver().literalRva(x), b.resolver().literalRva(y), length, px, py);
        for (int i = 0; same && i < px.size(); i++) {
            long[] p = a.resolver().identify(px.get(i)[2]);
            long[] q = b.resolver().identify(py.get(i)[2]);
            same = p[0] == q[0] && p[2] == q[2]
                    && (p[0] == Tokens.LITERAL ? shallow((int) p[1], (int) q[1], depth)
                            || sameLiteral((int) p[1], (int) q[1], depth + 1)
                    : sameToken(p[0], p[1], p[2], q[0], q[1], q[2]));
        }
        if (depth == 0) {
            literalVerdicts.put(key, same);
        }
        return same;
    }

    /**
     * Whether a pointed-to literal counts as the same without comparing it: beyond the first level, except along an
     * MSVC-ABI exception structure (ThrowInfo, catchable types, type descriptor), whose meaning is its last level
     * (the type's name), followed to {@link #EXCEPTION_STRUCTURE_DEPTH}.
     */
    private boolean shallow(int x, int y, int depth) {
        boolean structure = a.resolver().isExceptionStructure(x) && b.resolver().isExceptionStructure(y);
        return structure ? depth >= EXCEPTION_STRUCTURE_DEPTH : depth > 0;
    }

    /** ThrowInfo, catchable-type array, catchable type, type descriptor. */
    private static final int EXCEPTION_STRUCTURE_DEPTH = 4;

    // ---- globals -----------------------------------------------------------------------------------------

    private List<GlobalDiff> globals(List<FunctionDiff> functions) {
        List<GlobalDiff> out = new ArrayList<>();
        // Comparing initial values may resolve pointers to globals nobody referred to before, which adds them
        // to the tables: work on the globals the matching knew.
        List<Global> olds = List.copyOf(a.resolver().globals());
        List<Global> news = List.copyOf(b.resolver().globals());
        Set<Integer> referencedByPatch = new HashSet<>();
        for (FunctionDiff f : functions) {
            if (f.newIndex() >= 0 && (f.status() == Status.CHANGED || f.status() == Status.NEW)) {
                Fn fb = b.function(f.newIndex());
                for (int t = fb.tokenStart; t < fb.tokenEnd; t++) {
                    if (b.tokens().kind(t) == Tokens.GLOBAL) {
                        referencedByPatch.add((int) b.tokens().value(t));
                    }
                }
            }
        }
        for (Global ga : olds) {
            int y = m.newGlobalOf(ga.index());
            if (y < 0) {
                continue;
            }
            Global gb = news.get(y);
            boolean writable = isWritable(a, ga.rva());
            // A size from the distance to the next symbol only counts when the same symbol follows on both
            // sides; otherwise a neighbour added into alignment padding would look like a size change.
            // A size inferred from the distance to the next symbol (no PDB size) never refuses on its own: unnamed
            // data added after the global moves that distance. It counts when the same symbol follows on both
            // sides and code the patch carries uses the global, so that the code and the layout changed together.
            boolean comparable = ga.exactSize() && gb.exactSize()
                    || ga.sizeKnown() && gb.sizeKnown() && !ga.exactSize() && !gb.exactSize()
                    && java.util.Objects.equals(ga.neighbours(), gb.neighbours())
                    && referencedByPatch.contains(gb.index());
            if (comparable && ga.exactSize() ? ga.size() != gb.size() : comparable && distancesDiffer(ga, gb)) {
                out.add(new GlobalDiff(Status.CHANGED, gb.displayName(), ga.rva(), gb.rva(), ga.size(), gb.size(), "size"));
                findings.add(new Finding(Finding.Kind.GLOBAL_SIZE_CHANGED, gb.displayName(),
                        "global `" + gb.displayName() + "` " + (gb.size() > ga.size() ? "grew" : "shrank") + " from "
                                + ga.size() + " to " + gb.size() + " bytes; data layout changes cannot be hotpatched.",
                        "keep the global's size (add a new global for the extra state) or ship the new build instead of a hotpatch."));
            } else if (writable && !sameInitialValue(ga, gb)) {
                out.add(new GlobalDiff(Status.CHANGED, gb.displayName(), ga.rva(), gb.rva(), ga.size(), gb.size(), "initial value"));
                findings.add(new Finding(Finding.Kind.GLOBAL_INITIAL_VALUE_CHANGED, gb.displayName(),
                        "global `" + gb.displayName() + "` has a different initial value; a hotpatch cannot change data the running program already holds.",
                        "assign the new value in code (for example in the changed function) or ship the new build instead of a hotpatch."));
            }
        }
        for (Global gb : news) {
            if (m.oldGlobalOf(gb.index()) >= 0) {
                continue;
            }
            // A compiler-numbered name (x.3) says nothing about the old build: unpaired, the global is new.
            boolean namedOnlyHere = gb.name() != null && (Names.compilerNumbered(gb.name())
                    || olds.stream().noneMatch(g -> gb.name().equals(g.name())));
            // MSVC RTTI records (??_R0 type descriptors, ??_R1..4) are runtime data, not globals of the program: a
            // new one comes with a new type the code names, and is not listed.
            boolean rtti = gb.name() != null && gb.name().startsWith("??_R");
            if (!rtti && (namedOnlyHere || gb.name() == null && referencedByPatch.contains(gb.index()))) {
                out.add(new GlobalDiff(Status.NEW, gb.displayName(), -1, gb.rva(), -1, gb.size(), ""));
            }
        }
        out.sort(Comparator.comparing(GlobalDiff::status).thenComparing(GlobalDiff::name));
        return out;
    }

    /**
     * A size measured to the next symbol includes the alignment padding before it, which can be as large as
     * the next symbol's alignment (at most the largest power of two dividing its address; 32 here). Two such
     * sizes only prove a change when they differ by at least that much.
     */
    private static boolean distancesDiffer(Global ga, Global gb) {
        long align = Math.min(32, Math.min(Long.lowestOneBit(ga.rva() + ga.size()), Long.lowestOneBit(gb.rva() + gb.size())));
        return Math.abs(ga.size() - gb.size()) >= Math.max(1, align);
    }

    /**
     * Two unmatched globals hold the same bytes over the shorter extent, with pointers at the same offsets
     * (cleared, not followed).
     */
    private boolean sameGlobalBytes(int x, int y) {
        Global ga = a.resolver().globals().get(x);
        Global gb = b.resolver().globals().get(y);
        int size = (int) Math.min(Math.min(ga.size(), gb.size()), 4096);
        return sameBytesWithoutPointers(ga.rva(), gb.rva(), size, new ArrayList<>(), new ArrayList<>());
    }

    /**
     * [ra, ra + size) of the old image and [rb, rb + size) of the new hold the same bytes once the pointers in
     * them are cleared, and their pointers sit at the same offsets with the same widths; the pointers,
     * {offset, width, target RVA} each, are appended to {@code px} and {@code py} for the caller to compare what
     * they point at.
     */
    private boolean sameBytesWithoutPointers(long ra, long rb, int size, List<long[]> px, List<long[]> py) {
        if (!Arrays.equals(a.resolver().bytesWithoutPointers(ra, size, px), b.resolver().bytesWithoutPointers(rb, size, py))
                || px.size() != py.size()) {
            return false;
        }
        for (int i = 0; i < px.size(); i++) {
            if (px.get(i)[0] != py.get(i)[0] || px.get(i)[1] != py.get(i)[1]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWritable(ImageAnalysis x, long rva) {
        Section s = x.code().sectionAt(rva);
        return s != null && s.isWritable();
    }

    /** Initial bytes equal over the common size, pointers compared by what they point at. */
    private boolean sameInitialValue(Global ga, Global gb) {
        int size = (int) Math.min(Math.min(ga.size(), gb.size()), 1 << 20);
        List<long[]> slotsA = new ArrayList<>();
        List<long[]> slotsB = new ArrayList<>();
        if (!sameBytesWithoutPointers(ga.rva(), gb.rva(), size, slotsA, slotsB)) {
            return false;
        }
        for (int i = 0; i < slotsA.size(); i++) {
            long[] p = a.resolver().identify(slotsA.get(i)[2]);
            long[] q = b.resolver().identify(slotsB.get(i)[2]);
            if (!sameToken(p[0], p[1], p[2], q[0], q[1], q[2])) {
                return false;
            }
        }
        return true;
    }

    // ---- imports, exports, entry point, TLS, resources ---------------------------------------------------

    /** Imports of the new image (delay-loaded ones too) that the old one lacks, by {@code dll!name}, sorted. */
    private List<String> newImports() {
        Set<String> old = new HashSet<>(a.resolver().importNames().values());
        return new java.util.TreeSet<>(b.resolver().importNames().values()).stream().filter(s -> !old.contains(s)).toList();
    }

    private static Map<String, Long> exportsOf(ImageAnalysis x) {
        Map<String, Long> out = new LinkedHashMap<>();
        x.code().image().exports().ifPresent(t -> {
            for (ExportEntry e : t.entries()) {
                out.put(e.name().orElse("#" + e.ordinal()), e.isForwarder() ? -1L : e.rva());
            }
        });
        return out;
    }

    private static List<String> removedExports(Map<String, Long> olds, Map<String, Long> news) {
        return olds.keySet().stream().filter(n -> !news.containsKey(n)).sorted().toList();
    }

    private void exports(Map<String, Long> olds, Map<String, Long> news) {
        for (Map.Entry<String, Long> e : news.entrySet()) {
            Long old = olds.get(e.getKey());
            if (old == null) {
                findings.add(new Finding(Finding.Kind.EXPORT_ADDED, e.getKey(),
                        "the new image exports `" + e.getKey() + "`, which the old one does not; a hotpatch cannot add exports.",
                        "call the new function from patched code without exporting it, or ship the new build instead of a hotpatch."));
                continue;
            }
            int fa = old < 0 ? -1 : functionStartingAt(a, old);
            int fb = e.getValue() < 0 ? -1 : functionStartingAt(b, e.getValue());
            if (fa >= 0 && fb >= 0 && m.newOf(fa) != fb) {
                findings.add(new Finding(Finding.Kind.EXPORT_RETARGETED, e.getKey(),
                        "export `" + e.getKey() + "` now leads to a different function (`" + b.function(fb).displayName()
                                + "` instead of `" + a.function(fa).displayName() + "`); a hotpatch cannot move exports.",
                        "keep the export on the same function and change that function's body instead."));
            }
        }
    }

    private boolean sameBytes(long ra, long rb, int n) {
        byte[] x = new byte[n];
        byte[] y = new byte[n];
        a.code().read(ra, n, x, 0);
        b.code().read(rb, n, y, 0);
        return Arrays.equals(x, y);
    }

    private static int functionStartingAt(ImageAnalysis x, long rva) {
        int f = x.functions().functionAt(rva);
        return f >= 0 && x.function(f).entry() == rva ? f : -1;
    }

    private void entryPoint() {
        long ea = a.code().image().entryPointRva();
        long eb = b.code().image().entryPointRva();
        if (ea == 0 && eb == 0) {
            return;
        }
        int fa = ea == 0 ? -1 : functionStartingAt(a, ea);
        int fb = eb == 0 ? -1 : functionStartingAt(b, eb);
        if (fa < 0 && fb < 0 && sameBytes(ea, eb, 32)) {
            return;     // an entry point outside code (hostile or odd images): the same bytes on both sides
        }
        if (fa < 0 || fb < 0 || m.newOf(fa) != fb) {
            String what = fb >= 0 ? "`" + b.function(fb).displayName() + "`" : eb == 0 ? "nothing" : "another function";
            findings.add(new Finding(Finding.Kind.ENTRY_POINT_CHANGED, "entry point",
                    "the entry point now leads to " + what + " instead of the old entry function; the loader has already run the old one.",
                    "keep the same entry function and patch its body, or ship the new build instead of a hotpatch."));
        }
    }

    private void tls() {
        TlsDirectory ta = a.code().image().tls().orElse(null);
        TlsDirectory tb = b.code().image().tls().orElse(null);
        if (ta == null && tb == null) {
            return;
        }
        String problem = null;
        if (ta == null || tb == null) {
            problem = tb == null ? "the new image has no thread-local storage" : "the new image adds thread-local storage";
        } else if (ta.rawDataSize() + ta.sizeOfZeroFill() != tb.rawDataSize() + tb.sizeOfZeroFill()) {
            problem = "the thread-local storage block changed size from " + (ta.rawDataSize() + ta.sizeOfZeroFill())
                    + " to " + (tb.rawDataSize() + tb.sizeOfZeroFill()) + " bytes";
        } else if (ta.callbackRvas().size() != tb.callbackRvas().size()) {
            problem = "the number of TLS callbacks changed from " + ta.callbackRvas().size() + " to " + tb.callbackRvas().size();
        } else {
            for (int i = 0; i < ta.callbackRvas().size(); i++) {
                long ca = ta.callbackRvas().get(i);
                long cb = tb.callbackRvas().get(i);
                int fa = functionStartingAt(a, ca);
                int fb = functionStartingAt(b, cb);
                if (fa < 0 && fb < 0 ? !sameBytes(ca, cb, 32) : fa < 0 || fb < 0 || m.newOf(fa) != fb) {
                    problem = "TLS callback " + i + " is a different function";
                    break;
                }
            }
            if (problem == null && ta.rawDataSize() > 0 && ta.rawDataSize() < (1 << 20)
                    && !sameBytesWithoutPointers(ta.rawDataStartRva(), tb.rawDataStartRva(), (int) ta.rawDataSize(),
                            new ArrayList<>(), new ArrayList<>())) {
                problem = "the initial values of thread-local variables changed";
            }
        }
        if (problem != null) {
            findings.add(new Finding(Finding.Kind.TLS_CHANGED, "thread-local storage", problem
                    + "; threads that already exist keep the old layout.", "leave thread-local variables and TLS callbacks as they are, or ship the new build instead of a hotpatch."));
        }
    }

    private void resources() {
        if (ResourceDigest.of(a.code()) != ResourceDigest.of(b.code())) {
            findings.add(new Finding(Finding.Kind.RESOURCES_CHANGED, "resources",
                    "the image's resources (version information, dialogs, manifests, strings) changed; a hotpatch replaces code only.",
                    "leave resources unchanged in a hotpatch, or ship the new build instead."));
        }
    }

    // ---- trampolines -------------------------------------------------------------------------------------

    /** Bytes a base function offers the redirecting jump: its code and the padding after it, up to the next one. */
    private static long room(ImageAnalysis image, Fn f) {
        return Math.min(image.functions().nextRangeStart(f.entry() + 1), f.entry() + 64) - f.entry();
    }

    /**
     * Whether a changed base function is redirected with the hot-patch hop rather than the jump: it is too short for
     * the jump (x86, x64). The classifier lets such a function through only with 5 bytes of padding before it.
     */
    public static boolean redirectsWithHop(ImageAnalysis base, Fn f) {
        return base.code().machine() != Machine.ARM64 && room(base, f) < trampolineBytes(base.code().machine());
    }

    /** Bytes the redirection writes at a function's entry: a 5-byte jmp rel32 on x86/x64, one B on ARM64. */
    public static int trampolineBytes(Machine machine) {
        return machine == Machine.ARM64 ? 4 : 5;
    }

    private void trampolines(List<FunctionDiff> functions) {
        int need = trampolineBytes(a.code().machine());
        for (FunctionDiff f : functions) {
            if (f.status() != Status.CHANGED) {
                continue;
            }
            Fn fa = a.function(f.oldIndex());
            long room = room(a, fa);
            if (room < need) {
                long padding = paddingBefore(fa);
                boolean hop = a.code().machine() != Machine.ARM64 && room >= 2 && padding >= 5;
                if (!hop) {
                    findings.add(new Finding(Finding.Kind.FUNCTION_TOO_SHORT, f.name(),
                            "function `" + f.name() + "` has " + room + " bytes before the next function and " + padding
                                    + " bytes of padding before it, too short for the " + need + "-byte jump that redirects it.",
                            "rebuild the base with hotpatch padding (MSVC /hotpatch with /functionpadmin, or -fpatchable-function-entry / -fms-hotpatch) so every function can be redirected."));
                    continue;
                }
            }
            // A branch to the entry itself reaches the redirecting jump and so the new function, like any call;
            // a branch into the middle of the jump's bytes would execute a fragment of it.
            if (fa.firstLocalTarget > 0 && fa.firstLocalTarget < need) {
                findings.add(new Finding(Finding.Kind.ENTRY_IS_BRANCH_TARGET, f.name(),
                        "function `" + f.name() + "` branches to offset " + fa.firstLocalTarget + " of its own first " + need
                                + " bytes, which the redirecting jump overwrites; that branch would land inside the jump.",
                        "rebuild the base with hotpatch padding (MSVC /hotpatch, or -fms-hotpatch) so the entry is a 2-byte no-op that no branch targets."));
            }
        }
    }

    /** Padding bytes right before a function's entry (INT3, NOP, zero) not used by the function before. */
    private long paddingBefore(Fn fa) {
        long entry = fa.entry();
        int prev = a.functions().functionAt(entry - 1);
        long floor = entry - 32;
        if (prev >= 0) {
            Fn p = a.function(prev);
            floor = a.functions().rangeIndexAt(entry - 1) == 0 ? p.entry() + p.entryCodeBytes : entry;
        }
        byte[] b = new byte[1];
        long n = 0;
        for (long at = entry - 1; at >= Math.max(0, floor); at--) {
            a.code().read(at, 1, b, 0);
            if (b[0] != (byte) 0xcc && b[0] != (byte) 0x90 && b[0] != 0 && prev < 0) {
                break;
            }
            n++;
        }
        return n;
    }
}
