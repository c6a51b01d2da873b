package dev.hotpatch.differ.match;

import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.functions.Names;
import dev.hotpatch.differ.normalise.Hasher;
import dev.hotpatch.differ.resolve.Global;
import dev.hotpatch.differ.resolve.Tokens;
import dev.hotpatch.differ.util.LongIntMap;
import dev.hotpatch.io.Sha256;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Pairs old and new functions and globals: by name where both have one (clone numbers folded), by the
 * entry point, then by structure (the shape hash: normalised code with the kinds and contents of what it
 * refers to) when unique on both sides, then through the code around matched pairs (a pair with the same
 * shape pairs up what it refers to, position by position; any pair pairs up its unmatched callees and
 * callers when their shapes are unique among them), to a fixpoint; what is left is paired by attributes
 * (instruction, call and branch counts and the multiset of opcodes) when unique on both sides.
 */
public final class Matcher {
    private final ImageAnalysis a;
    private final ImageAnalysis b;
    private final Matching m;
    private final Deque<Integer> fresh = new ArrayDeque<>();
    private final int[][] callersA;
    private final int[][] callersB;

    private Matcher(ImageAnalysis a, ImageAnalysis b) {
        this.a = a;
        this.b = b;
        this.m = new Matching(a.functions().size(), b.functions().size());
        m.globals(a.resolver().globals().size(), b.resolver().globals().size());
        callersA = callers(a);
        callersB = callers(b);
    }

    public static Matching match(ImageAnalysis oldImage, ImageAnalysis newImage) {
        Matcher matcher = new Matcher(oldImage, newImage);
        matcher.run();
        return matcher.m;
    }

    private void run() {
        byName();
        byEntryPoint();
        globalsByName();
        numberedGlobalsByContent();
        fixpoint();
        for (int pass = 0; pass < 2 && byUnique(f -> f.skeletonHash, MatchMethod.SKELETON); pass++) {
            fixpoint();
        }
        for (int pass = 0; pass < 2 && byUnique(this::attributes, MatchMethod.ATTRIBUTES) | callSequences(); pass++) {
            fixpoint();
        }
        if (throughGlobals()) {
            fixpoint();
        }
        if (inOrder()) {
            fixpoint();
        }
    }

    /**
     * Tables of function pointers in writable data (SQLite's built-in function list, dispatch tables):
     * matched globals whose bytes hold pointers at the same offsets pair the functions they point at. A function
     * reached only through such a table has no caller to pair it otherwise. Looks up to 4 KB past each global's
     * start, since an anonymous global's own extent is only a guess.
     */
    private boolean throughGlobals() {
        boolean progress = false;
        List<dev.hotpatch.differ.resolve.Global> olds = List.copyOf(a.resolver().globals());
        for (dev.hotpatch.differ.resolve.Global g : olds) {
            int y = m.newGlobalOf(g.index());
            if (y < 0) {
                continue;
            }
            dev.hotpatch.differ.resolve.Global h = b.resolver().globals().get(y);
            List<long[]> px = a.resolver().pointers(g.rva(), 4096);
            List<long[]> py = b.resolver().pointers(h.rva(), 4096);
            int j = 0;
            for (long[] p : px) {
                while (j < py.size() && py.get(j)[0] < p[0]) {
                    j++;
                }
                if (j >= py.size() || py.get(j)[0] != p[0]) {
                    continue;
                }
                int fx = a.functions().functionAt(p[2]);
                int fy = b.functions().functionAt(py.get(j)[2]);
                if (fx >= 0 && fy >= 0 && a.function(fx).entry() == p[2] && b.function(fy).entry() == py.get(j)[2]) {
                    progress |= pair(fx, fy, MatchMethod.PROPAGATION);
                }
            }
        }
        return progress;
    }

    /**
     * Matched pairs that call as many functions as each other: an unmatched callee at the same position on
     * both sides is paired (the call-sequence idea of BinDiff).
     */
    private boolean callSequences() {
        boolean progress = false;
        for (Fn fa : a.functions().functions()) {
            int y = m.newOf(fa.index());
            if (y < 0) {
                continue;
            }
            int[] ca = calleesOf(a, fa);
            int[] cb = calleesOf(b, b.function(y));
            if (ca.length != cb.length) {
                continue;
            }
            for (int i = 0; i < ca.length; i++) {
                if (m.newOf(ca[i]) < 0 && m.oldOf(cb[i]) < 0 && a.function(ca[i]).thunkKind == 0
                        && b.function(cb[i]).thunkKind == 0) {
                    progress |= pair(ca[i], cb[i], MatchMethod.CALL_SEQUENCE);
                }
            }
        }
        return progress;
    }

    /**
     * Functions left over whose shape several share (identical clones, such as two methods compiled to the
     * same code) are paired in address order within each shape when both sides have as many.
     */
    private boolean inOrder() {
        Map<Long, List<Integer>> olds = new java.util.TreeMap<>();
        Map<Long, List<Integer>> news = new HashMap<>();
        for (Fn f : a.functions().functions()) {
            if (m.newOf(f.index()) < 0) {
                olds.computeIfAbsent(f.shapeHash, k -> new ArrayList<>()).add(f.index());
            }
        }
        for (Fn f : b.functions().functions()) {
            if (m.oldOf(f.index()) < 0) {
                news.computeIfAbsent(f.shapeHash, k -> new ArrayList<>()).add(f.index());
            }
        }
        boolean progress = false;
        for (Map.Entry<Long, List<Integer>> e : olds.entrySet()) {
            List<Integer> other = news.get(e.getKey());
            if (other != null && other.size() == e.getValue().size() && other.size() > 1) {
                for (int i = 0; i < other.size(); i++) {
                    progress |= pair(e.getValue().get(i), other.get(i), MatchMethod.STRUCTURE_IN_ORDER);
                }
            }
        }
        return progress;
    }

    /**
     * Unique shapes, then propagation until it stops; uniqueness is looked at again (a full pass) only a few
     * times, since most pairs come from propagation once the first unique ones are in.
     */
    private void fixpoint() {
        for (int pass = 0; pass < 3; pass++) {
            boolean progress = byUnique(f -> f.shapeHash, MatchMethod.STRUCTURE);
            progress |= propagate();
            if (!progress) {
                return;
            }
        }
        propagate();
    }

    private boolean pair(int x, int y, MatchMethod how) {
        if (m.pair(x, y, how)) {
            fresh.add(x);
            return true;
        }
        return false;
    }

    private void byName() {
        Map<String, List<Integer>> oldByKey = names(a.functions());
        Map<String, List<Integer>> newByKey = names(b.functions());
        for (Map.Entry<String, List<Integer>> e : oldByKey.entrySet()) {
            List<Integer> olds = e.getValue();
            List<Integer> news = newByKey.get(e.getKey());
            if (news == null) {
                continue;
            }
            if (olds.size() == 1 && news.size() == 1) {
                pair(olds.get(0), news.get(0), MatchMethod.NAME);
                continue;
            }
            // Several functions share the name (static functions of different files): unique shapes decide.
            Map<Long, List<Integer>> oldShapes = new HashMap<>();
            Map<Long, List<Integer>> newShapes = new HashMap<>();
            olds.forEach(i -> oldShapes.computeIfAbsent(a.function(i).shapeHash, k -> new ArrayList<>()).add(i));
            news.forEach(i -> newShapes.computeIfAbsent(b.function(i).shapeHash, k -> new ArrayList<>()).add(i));
            for (Map.Entry<Long, List<Integer>> s : oldShapes.entrySet()) {
                List<Integer> other = newShapes.get(s.getKey());
                if (s.getValue().size() == 1 && other != null && other.size() == 1) {
                    pair(s.getValue().get(0), other.get(0), MatchMethod.NAME_AND_STRUCTURE);
                }
            }
        }
    }

    private static Map<String, List<Integer>> names(FunctionTable table) {
        Map<String, List<Integer>> out = new HashMap<>();
        for (Fn f : table.functions()) {
            if (f.named()) {
                out.computeIfAbsent(Names.matchKey(f.symbol()), k -> new ArrayList<>()).add(f.index());
            }
        }
        return out;
    }

    private void byEntryPoint() {
        long ea = a.code().image().entryPointRva();
        long eb = b.code().image().entryPointRva();
        if (ea != 0 && eb != 0) {
            int x = a.functions().functionAt(ea);
            int y = b.functions().functionAt(eb);
            if (x >= 0 && y >= 0 && a.function(x).entry() == ea && b.function(y).entry() == eb) {
                pair(x, y, MatchMethod.ENTRY_POINT);
            }
        }
    }

    private void globalsByName() {
        Map<String, List<Integer>> olds = new HashMap<>();
        Map<String, List<Integer>> news = new HashMap<>();
        for (Global g : a.resolver().globals()) {
            if (g.name() != null && !Names.compilerNumbered(g.name())) {
                olds.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(g.index());
            }
        }
        for (Global g : b.resolver().globals()) {
            if (g.name() != null && !Names.compilerNumbered(g.name())) {
                news.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(g.index());
            }
        }
        for (Map.Entry<String, List<Integer>> e : olds.entrySet()) {
            List<Integer> other = news.get(e.getKey());
            if (e.getValue().size() == 1 && other != null && other.size() == 1) {
                m.pairGlobals(e.getValue().get(0), other.get(0));
            }
        }
    }

    /**
     * Globals whose names carry compiler-assigned numbers ({@code x.3}, {@code s.lto_priv.7}) are not paired by
     * those numbers, which a compiler reassigns between builds: a family ({@link Names#numbersFolded}) and its
     * contents (pointers cleared) pair them when that pair is unique on both sides; the rest are paired later
     * through the functions that refer to them.
     */
    private void numberedGlobalsByContent() {
        Map<String, List<Integer>> olds = numberedByContent(a);
        Map<String, List<Integer>> news = numberedByContent(b);
        for (Map.Entry<String, List<Integer>> e : olds.entrySet()) {
            List<Integer> other = news.get(e.getKey());
            if (e.getValue().size() == 1 && other != null && other.size() == 1) {
                m.pairGlobals(e.getValue().get(0), other.get(0));
            }
        }
    }

    /** Numbered globals by family and a hash of their first bytes (up to 256; pointers cleared). */
    private static Map<String, List<Integer>> numberedByContent(ImageAnalysis x) {
        Map<String, List<Integer>> out = new HashMap<>();
        for (Global g : List.copyOf(x.resolver().globals())) {
            if (g.name() == null || !Names.compilerNumbered(g.name())) {
                continue;
            }
            int length = (int) (g.sizeKnown() ? Math.min(Math.max(g.size(), 0), 256) : 0);
            byte[] bytes = x.resolver().bytesWithoutPointers(g.rva(), length, new ArrayList<>());
            String key = Names.numbersFolded(g.name()) + "#" + length + "#"
                    + Sha256.of(bytes);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(g.index());
        }
        return out;
    }

    /** Pairs unmatched functions whose key is unique on both sides. */
    private boolean byUnique(ToLongFunction<Fn> key, MatchMethod how) {
        // key -> the one unmatched function with it, or -2 when several have it (primitive maps: this runs often)
        LongIntMap olds = new LongIntMap();
        for (Fn f : a.functions().functions()) {
            if (m.newOf(f.index()) < 0) {
                long k = keyOf(key, f);
                olds.put(k, olds.get(k, -1) == -1 ? f.index() : -2);
            }
        }
        LongIntMap news = new LongIntMap();
        for (Fn f : b.functions().functions()) {
            if (m.oldOf(f.index()) < 0) {
                long k = keyOf(key, f);
                if (olds.get(k, -1) != -1) {
                    news.put(k, news.get(k, -1) == -1 ? f.index() : -2);
                }
            }
        }
        boolean progress = false;
        for (Fn f : a.functions().functions()) {
            if (m.newOf(f.index()) < 0) {
                long k = keyOf(key, f);
                int y = news.get(k, -1);
                if (y >= 0 && olds.get(k, -1) == f.index()) {
                    progress |= pair(f.index(), y, how);
                }
            }
        }
        return progress;
    }

    private static long keyOf(ToLongFunction<Fn> key, Fn f) {
        long k = key.applyAsLong(f);
        return k == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : k;
    }

    private long attributes(Fn f) {
        return new Hasher().reset().add(f.instructions).add(f.calls).add(f.branches).add(f.tokenEnd - f.tokenStart)
                .add(f.opcodeSet).add(f.rangeCount()).value();
    }

    /** Works through newly matched pairs until none is left; true when anything was paired. */
    private boolean propagate() {
        boolean progress = false;
        while (!fresh.isEmpty()) {
            int x = fresh.poll();
            int y = m.newOf(x);
            Fn fa = a.function(x);
            Fn fb = b.function(y);
            if (fa.shapeHash == fb.shapeHash && fa.tokenEnd - fa.tokenStart == fb.tokenEnd - fb.tokenStart) {
                progress |= positional(fa, fb);
            }
            progress |= neighbours(calleesOf(a, fa), calleesOf(b, fb));
            progress |= neighbours(callersA[x], callersB[y]);
        }
        return progress;
    }

    private boolean positional(Fn fa, Fn fb) {
        boolean progress = false;
        Tokens ta = a.tokens();
        Tokens tb = b.tokens();
        for (int i = 0; i < fa.tokenEnd - fa.tokenStart; i++) {
            int p = fa.tokenStart + i;
            int q = fb.tokenStart + i;
            if (ta.kind(p) == Tokens.FUNCTION && tb.kind(q) == Tokens.FUNCTION) {
                progress |= pair((int) ta.value(p), (int) tb.value(q), MatchMethod.PROPAGATION);
            } else if (ta.kind(p) == Tokens.GLOBAL && tb.kind(q) == Tokens.GLOBAL) {
                m.pairGlobals((int) ta.value(p), (int) tb.value(q));
            } else if (ta.kind(p) == Tokens.LITERAL && tb.kind(q) == Tokens.LITERAL) {
                progress |= throughPointers((int) ta.value(p), (int) tb.value(q));
            }
        }
        return progress;
    }

    /**
     * Read-only data referred to from the same place on both sides (a vtable, a table of callbacks): the
     * functions its pointers lead to pair up position by position.
     */
    private boolean throughPointers(int x, int y) {
        int length = Math.min(a.resolver().literalLength(x), b.resolver().literalLength(y));
        List<long[]> px = new ArrayList<>();
        List<long[]> py = new ArrayList<>();
        a.resolver().literalBytes(x, length, px);
        b.resolver().literalBytes(y, length, py);
        boolean progress = false;
        for (int i = 0; i < Math.min(px.size(), py.size()); i++) {
            if (px.get(i)[0] != py.get(i)[0]) {
                break;
            }
            long[] tx = a.resolver().identify(px.get(i)[2]);
            long[] ty = b.resolver().identify(py.get(i)[2]);
            if (tx[0] == Tokens.FUNCTION && ty[0] == Tokens.FUNCTION && tx[2] == 0 && ty[2] == 0) {
                progress |= pair((int) tx[1], (int) ty[1], MatchMethod.PROPAGATION);
            } else if (tx[0] == Tokens.GLOBAL && ty[0] == Tokens.GLOBAL && tx[2] == ty[2]) {
                m.pairGlobals((int) tx[1], (int) ty[1]);
            }
        }
        return progress;
    }

    private static int[] calleesOf(ImageAnalysis image, Fn f) {
        Tokens t = image.tokens();
        int n = 0;
        for (int i = f.tokenStart; i < f.tokenEnd; i++) {
            n += t.kind(i) == Tokens.FUNCTION ? 1 : 0;
        }
        int[] out = new int[n];
        n = 0;
        for (int i = f.tokenStart; i < f.tokenEnd; i++) {
            if (t.kind(i) == Tokens.FUNCTION) {
                out[n++] = (int) t.value(i);
            }
        }
        return out;
    }

    /** Unmatched functions around a pair whose shapes are unique among them on both sides. */
    private boolean neighbours(int[] olds, int[] news) {
        Map<Long, int[]> slots = new HashMap<>();
        for (int x : olds) {
            if (m.newOf(x) < 0) {
                int[] s = slots.computeIfAbsent(a.function(x).shapeHash, k -> new int[] {-1, -1});
                s[0] = s[0] == -1 || s[0] == x ? x : -2;
            }
        }
        for (int y : news) {
            if (m.oldOf(y) < 0) {
                int[] s = slots.get(b.function(y).shapeHash);
                if (s != null) {
                    s[1] = s[1] == -1 || s[1] == y ? y : -2;
                }
            }
        }
        boolean progress = false;
        for (int[] s : slots.values()) {
            if (s[0] >= 0 && s[1] >= 0) {
                progress |= pair(s[0], s[1], MatchMethod.NEIGHBOURHOOD);
            }
        }
        return progress;
    }

    /** Who refers to each function (compressed: one int array per function). */
    private static int[][] callers(ImageAnalysis image) {
        int n = image.functions().size();
        int[] counts = new int[n];
        Tokens t = image.tokens();
        for (Fn f : image.functions().functions()) {
            for (int i = f.tokenStart; i < f.tokenEnd; i++) {
                if (t.kind(i) == Tokens.FUNCTION && t.value(i) != f.index()) {
                    counts[(int) t.value(i)]++;
                }
            }
        }
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new int[counts[i]];
            counts[i] = 0;
        }
        for (Fn f : image.functions().functions()) {
            for (int i = f.tokenStart; i < f.tokenEnd; i++) {
                if (t.kind(i) == Tokens.FUNCTION && t.value(i) != f.index()) {
                    int callee = (int) t.value(i);
                    out[callee][counts[callee]++] = f.index();
                }
            }
        }
        return out;
    }
}
