package dev.hotpatch.differ.functions;

import dev.hotpatch.differ.code.CodeDecoder;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.msvc.CxxFrameTables;
import dev.hotpatch.differ.msvc.ScopeTables;
import dev.hotpatch.differ.util.LongList;
import dev.hotpatch.pe.ExportEntry;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.RuntimeFunction;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds an image's functions by combining every source: .pdata (with x64 chained and ARM64 fragment entries
 * attached to their function), PDB procedures and COFF function symbols, exports, the entry point and TLS
 * callbacks, then recursive descent from all of them (direct call targets and tail-jump targets that no
 * source named), pointers in relocated data that lead into code nobody covers, and finally every stretch of
 * executable bytes still outside a function that is not padding (a "gap" function), so that no code escapes
 * the diff.
 */
public final class FunctionDiscovery {
    private static final int MAX_ROUNDS = 64;

    private final ImageCode code;
    private final PeImage image;
    private final CodeDecoder decoder;
    private final Map<Long, Candidate> candidates = new HashMap<>();
    private final List<Fragment> fragments = new ArrayList<>();
    private final Step step = new Step();
    private byte[] buffer = new byte[1 << 16];
    private long[] exactStart = new long[0];
    private long[] exactEnd = new long[0];
    private long[] sortedStarts = new long[0];
    private long[] scannedStart = new long[0];
    private long[] scannedEnd = new long[0];
    private Map<Long, Long> fragmentEnds;
    private int rounds;
    private boolean exactRich;
    private final List<Long> unreached = new ArrayList<>();
    private final java.util.Set<Long> scannedSplits = new java.util.HashSet<>();

    private static final class Candidate {
        final long start;
        long exactEnd = -1;
        String name;
        int nameRank = Integer.MAX_VALUE;
        int sources;

        Candidate(long start) {
            this.start = start;
        }
    }

    private record Fragment(long start, long end, long parentStart, String parentName) {}

    private FunctionDiscovery(ImageCode code, CodeDecoder decoder) {
        this.code = code;
        this.image = code.image();
        this.decoder = decoder;
    }

    public static FunctionTable discover(ImageCode code, Symbols symbols, CodeDecoder decoder) {
        return new FunctionDiscovery(code, decoder).run(symbols);
    }

    private FunctionTable run(Symbols symbols) {
        long[] t = new long[8];
        t[0] = System.nanoTime();
        fromPdata();
        fromSymbols(symbols);
        fromExportsEntryAndTls();
        t[1] = System.nanoTime();
        // With .pdata, most code has exact extents: the stretches between them become functions first (each
        // split at returns nothing jumps past), and only code with inferred extents is swept for call targets.
        // Sweeping every .pdata function too would decode the whole image twice for the few leaf functions
        // that only a call names; the gap sweep finds them as well.
        exactRich = !image.runtimeFunctions().isEmpty();
        if (exactRich) {
            indexKnown();
            fillGaps();
        }
        descend(exactRich);
        t[2] = System.nanoTime();
        fromPointers();
        t[3] = System.nanoTime();
        fillGaps();
        t[4] = System.nanoTime();
        FunctionTable table = build();
        t[5] = System.nanoTime();
        if (System.getenv("HOTPATCH_TIMINGS") != null) {
            System.err.printf("  discovery: metadata %d ms, descent %d ms (%d rounds), pointers %d ms, gaps %d ms, build %d ms%n",
                    (t[1] - t[0]) / 1000000, (t[2] - t[1]) / 1000000, rounds, (t[3] - t[2]) / 1000000,
                    (t[4] - t[3]) / 1000000, (t[5] - t[4]) / 1000000);
        }
        return table;
    }

    /** More functions than this in one image is not a real program; stop before memory grows with it. */
    static final int MAX_FUNCTIONS = 4_000_000;

    /** Thrown when an image claims more functions than {@link #MAX_FUNCTIONS}. */
    public static final class TooManyFunctions extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyFunctions() {
            super("the image has more than " + MAX_FUNCTIONS + " function starts");
        }
    }

    private Candidate candidate(long start, Found source) {
        if (candidates.size() >= MAX_FUNCTIONS && !candidates.containsKey(start)) {
            throw new TooManyFunctions();
        }
        Candidate c = candidates.computeIfAbsent(start, Candidate::new);
        c.sources |= 1 << source.ordinal();
        return c;
    }

    private static void name(Candidate c, String name, int rank) {
        if (name != null && !name.isEmpty() && rank < c.nameRank) {
            c.name = name;
            c.nameRank = rank;
        }
    }

    private void fromPdata() {
        RuntimeFunctions table = image.runtimeFunctions();
        for (int i = 0; i < table.size(); i++) {
            long begin = table.beginRva(i);
            long end = table.endRva(i);
            if (end <= begin || !code.isCode(begin)) {
                continue;
            }
            RuntimeFunction f = table.get(i);
            if (f.fragment()) {
                fragments.add(new Fragment(begin, end, f.primaryBeginRva(), null));
            } else {
                Candidate c = candidate(begin, Found.PDATA);
                c.exactEnd = Math.max(c.exactEnd, end);
                long funcInfo = CxxFrameTables.funcInfoOf(code, table, i);
                if (funcInfo > 0) {
                    sharingFuncInfo.computeIfAbsent(funcInfo, k -> new ArrayList<>()).add(new long[] {begin, end});
                } else if (f.hasHandler()) {
                    // SEH: the filter and __finally funclets a scope table names belong to this function.
                    long data = CxxFrameTables.handlerDataOf(code, table, i);
                    for (long funclet : data < 0 ? java.util.Set.<Long>of()
                            : ScopeTables.funclets(code, data, begin, end).orElse(java.util.Set.of())) {
                        sehFunclets.put(funclet, begin);
                    }
                }
            }
        }
        attachFunclets();
        for (Map.Entry<Long, Long> e : sehFunclets.entrySet()) {
            if (!e.getKey().equals(e.getValue()) && !sehFunclets.containsKey(e.getValue())) {
                Candidate own = candidates.remove(e.getKey());
                fragments.add(new Fragment(e.getKey(), own != null ? own.exactEnd : -1, e.getValue(), null));
            }
        }
    }

    /** SEH filter and termination funclets (their entries) by the function whose scope table names them. */
    private final Map<Long, Long> sehFunclets = new java.util.TreeMap<>();

    /** Primary .pdata entries (begin, end) by the C++ FuncInfo their handler data names. */
    private final Map<Long, List<long[]>> sharingFuncInfo = new HashMap<>();

    /**
     * MSVC-ABI catch and cleanup blocks are funclets: code of their own with .pdata entries of their own that carry
     * the parent's handler and FuncInfo. The entries sharing a FuncInfo that the FuncInfo names as funclets become
     * fragments of the one entry it does not name (the parent), so a funclet is never a function of its own.
     */
    private void attachFunclets() {
        for (Map.Entry<Long, List<long[]>> group : sharingFuncInfo.entrySet()) {
            if (group.getValue().size() < 2) {
                continue;
            }
            java.util.Set<Long> funclets = CxxFrameTables.funclets(code, group.getKey()).orElse(java.util.Set.of());
            List<long[]> parents = group.getValue().stream().filter(e -> !funclets.contains(e[0])).toList();
            if (parents.size() != 1) {
                continue;
            }
            long parent = parents.get(0)[0];
            for (long[] e : group.getValue()) {
                if (e[0] != parent) {
                    candidates.remove(e[0]);
                    fragments.add(new Fragment(e[0], e[1], parent, null));
                }
            }
        }
    }

    private void fromSymbols(Symbols symbols) {
        Map<String, Long> procByName = new HashMap<>();
        for (Symbols.Proc p : symbols.procedures()) {
            if (code.isCode(p.rva()) && Names.coldParent(p.name()) == null) {
                procByName.putIfAbsent(p.name(), p.rva());
            }
        }
        for (Symbols.Proc p : symbols.procedures()) {
            if (!code.isCode(p.rva())) {
                continue;
            }
            String parent = Names.coldParent(p.name());
            if (parent != null && procByName.containsKey(parent)) {
                long end = p.length() > 0 ? p.rva() + p.length() : -1;
                fragments.add(new Fragment(p.rva(), end, procByName.get(parent), parent));
                continue;
            }
            Candidate c = candidate(p.rva(), p.source());
            name(c, p.name(), p.source() == Found.PDB ? 0 : 1);
            if (p.length() > 0 && c.exactEnd < 0) {
                c.exactEnd = p.rva() + p.length();
            }
        }
    }

    private void fromExportsEntryAndTls() {
        image.exports().ifPresent(exports -> {
            for (ExportEntry e : exports.entries()) {
                if (!e.isForwarder() && code.isCode(e.rva())) {
                    name(candidate(e.rva(), Found.EXPORT), e.name().orElse(null), 2);
                }
            }
        });
        if (image.entryPointRva() != 0 && code.isCode(image.entryPointRva())) {
            candidate(image.entryPointRva(), Found.ENTRY_POINT);
        }
        image.tls().ifPresent(tls -> tls.callbackRvas().stream().filter(code::isCode)
                .forEach(rva -> candidate(rva, Found.TLS_CALLBACK)));
    }

    // ---- recursive descent -------------------------------------------------------------------------------

    private void indexKnown() {
        long[] starts = new long[candidates.size() + fragments.size()];
        long[] exactPacked = new long[starts.length];
        long[] exactEnds = new long[starts.length];
        int n = 0;
        int e = 0;
        for (Candidate c : candidates.values()) {
            starts[n++] = c.start;
            if (c.exactEnd > 0) {
                exactEnds[e] = c.exactEnd;
                exactPacked[e] = c.start << 31 | e;
                e++;
            }
        }
        for (Fragment f : fragments) {
            starts[n++] = f.start;
            if (f.end > 0) {
                exactEnds[e] = f.end;
                exactPacked[e] = f.start << 31 | e;
                e++;
            }
        }
        Arrays.sort(starts, 0, n);
        sortedStarts = Arrays.copyOf(starts, n);
        Arrays.sort(exactPacked, 0, e);
        exactStart = new long[e];
        exactEnd = new long[e];
        for (int i = 0; i < e; i++) {
            exactStart[i] = exactPacked[i] >>> 31;
            exactEnd[i] = exactEnds[(int) (exactPacked[i] & 0x7fffffffL)];
        }
    }

    /** Index of the last element of an ascending array that is at most {@code rva}, or -1. */
    public static int lastAtOrBefore(long[] sorted, long rva) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= rva) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    private boolean insideExact(long rva) {
        int i = lastAtOrBefore(exactStart, rva);
        for (int k = i; k >= 0 && k > i - 4; k--) {
            if (rva < exactEnd[k]) {
                return true;
            }
        }
        return false;
    }

    private boolean insideScanned(long rva) {
        int i = lastAtOrBefore(scannedStart, rva);
        return i >= 0 && rva < scannedEnd[i];
    }

    /** End of the section's code: its bytes from the file (what lies beyond is zero fill, not code). */
    private long sectionEnd(long rva) {
        Section s = code.sectionAt(rva);
        return s == null ? rva : s.rva() + Math.min(s.virtualSize() > 0 ? s.virtualSize() : s.rawSize(), s.mappedSize());
    }

    /** The end of the code starting at {@code start}: its exact end, or the next known start. */
    private long extent(long start, long exact) {
        if (exact > start) {
            return exact;
        }
        int i = lastAtOrBefore(sortedStarts, start);
        long next = i + 1 < sortedStarts.length ? sortedStarts[i + 1] : Long.MAX_VALUE;
        int e = lastAtOrBefore(exactStart, start);
        if (e + 1 < exactStart.length) {
            next = Math.min(next, exactStart[e + 1]);
        }
        return Math.min(next, sectionEnd(start));
    }

    private void descend(boolean skipExact) {
        indexKnown();
        long[] toScan = skipExact ? Arrays.stream(sortedStarts).filter(start -> {
            Candidate c = candidates.get(start);
            return (c != null ? c.exactEnd : fragmentEnd(start)) <= start;
        }).toArray() : sortedStarts.clone();
        for (int round = 0; round < MAX_ROUNDS && toScan.length > 0; round++) {
            rounds++;
            long tRound = System.nanoTime();
            List<long[]> scanned = new ArrayList<>();
            LongList found = new LongList();
            Arrays.sort(toScan);
            for (long start : toScan) {
                Candidate c = candidates.get(start);
                long exact = c != null ? c.exactEnd : fragmentEnd(start);
                long end = extent(start, exact);
                if (end <= start) {
                    continue;
                }
                // An inferred extent may hold several functions: each split continues the sweep at once.
                long from = start;
                boolean splittable = exact <= start;
                while (from < end) {
                    int before = unreached.size();
                    long stop = scan(from, end, found, splittable);
                    scanned.add(new long[] {from, stop});
                    if (stop >= end || unreached.size() == before) {
                        break;
                    }
                    from = unreached.get(unreached.size() - 1);
                    scannedSplits.add(from);
                }
            }
            long tScan = System.nanoTime();
            mergeScanned(scanned);
            long tMerge = System.nanoTime();
            List<Long> next = new ArrayList<>();
            List<Long> added = new ArrayList<>();
            for (int f = 0; f < found.size(); f++) {
                long packedTarget = found.get(f);
                long t = packedTarget >>> 1;
                boolean call = (packedTarget & 1) != 0;
                if (candidates.containsKey(t) || Arrays.binarySearch(sortedStarts, t) >= 0 || insideExact(t)
                        || !call && insideScanned(t)) {
                    continue;       // a jump into code already covered is a branch inside some function
                }
                added.add(t);
                candidate(t, Found.CALL_TARGET);
                if (!insideScanned(t)) {
                    next.add(t);
                }
            }
            for (long u : unreached) {
                if (!candidates.containsKey(u)) {
                    candidate(u, Found.GAP);
                    added.add(u);
                    if (!scannedSplits.contains(u)) {
                        next.add(u);
                    }
                }
            }
            unreached.clear();
            scannedSplits.clear();
            addStarts(added);
            if (System.getenv("HOTPATCH_TIMINGS") != null) {
                System.err.printf("    round %d: %d scanned in %d ms, merge %d ms, %d targets sifted in %d ms%n", round,
                        toScan.length, (tScan - tRound) / 1000000, (tMerge - tScan) / 1000000, found.size(),
                        (System.nanoTime() - tMerge) / 1000000);
            }
            toScan = next.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private long fragmentEnd(long start) {
        if (fragmentEnds == null) {
            fragmentEnds = new HashMap<>();
            for (Fragment f : fragments) {
                fragmentEnds.putIfAbsent(f.start, f.end);
            }
        }
        return fragmentEnds.getOrDefault(start, -1L);
    }

    /** Adds starts that carry no exact end to the sorted start index (cheaper than rebuilding it). */
    private void addStarts(List<Long> more) {
        if (more.isEmpty()) {
            return;
        }
        long[] add = more.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] merged = new long[sortedStarts.length + add.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < sortedStarts.length || j < add.length) {
            long next = j >= add.length || i < sortedStarts.length && sortedStarts[i] <= add[j] ? sortedStarts[i++] : add[j++];
            if (k == 0 || merged[k - 1] != next) {
                merged[k++] = next;
            }
        }
        sortedStarts = Arrays.copyOf(merged, k);
    }

    /** Adds scanned intervals to the sorted, merged interval arrays (primitive sort; no objects per interval). */
    private void mergeScanned(List<long[]> more) {
        int n = scannedStart.length + more.size();
        long[] packedStart = new long[n];
        long[] ends = new long[n];
        int k = 0;
        for (int i = 0; i < scannedStart.length; i++, k++) {
            ends[k] = scannedEnd[i];
            packedStart[k] = scannedStart[i] << 31 | k;
        }
        for (long[] r : more) {
            ends[k] = r[1];
            packedStart[k] = r[0] << 31 | k;
            k++;
        }
        Arrays.sort(packedStart);
        long[] outStart = new long[n];
        long[] outEnd = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            long start = packedStart[i] >>> 31;
            long end = ends[(int) (packedStart[i] & 0x7fffffffL)];
            if (m > 0 && start <= outEnd[m - 1]) {
                outEnd[m - 1] = Math.max(outEnd[m - 1], end);
            } else {
                outStart[m] = start;
                outEnd[m] = end;
                m++;
            }
        }
        scannedStart = Arrays.copyOf(outStart, m);
        scannedEnd = Arrays.copyOf(outEnd, m);
    }

    /**
     * Linear sweep of [start, end): direct call targets, and branch targets outside the range. When the extent
     * is only inferred ({@code splittable}), the function ends after a return or unconditional jump that no
     * earlier branch jumps past (and no indirect jump came before, whose cases could follow): the code after it
     * is not reached from this entry, so it starts a function of its own (found as unreached code). Returns
     * where the scan stopped.
     */
    private long scan(long start, long end, LongList found, boolean splittable) {
        int length = (int) Math.min(end - start, Integer.MAX_VALUE - 16);
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        code.read(start, length, buffer, 0);
        decoder.reset();
        int pos = 0;
        long furthest = start;
        boolean indirect = false;
        while (pos < length) {
            if (!decoder.decode(buffer, pos, length, start + pos, step)) {
                pos += decoder.skip();
                continue;
            }
            long target = step.branchTarget;
            if (target >= 0 && code.isCode(target)) {
                boolean outside = target < start || target >= end;
                if (step.flow == Step.CALL || outside) {
                    found.add(target << 1 | (step.flow == Step.CALL ? 1 : 0));
                } else if (step.flow == Step.JUMP || step.flow == Step.COND) {
                    furthest = Math.max(furthest, target);
                }
            }
            indirect |= step.flow == Step.INDIRECT_JUMP;
            pos += step.length;
            boolean terminal = step.flow == Step.RET || step.flow == Step.JUMP || step.flow == Step.STOP;
            if (splittable && terminal && !indirect && furthest < start + pos && pos < length) {
                long next = skipPadding(start + pos, end);
                if (next < end && furthest < next && !candidates.containsKey(next)) {
                    unreached.add(next);
                    return start + pos;
                }
            }
        }
        return end;
    }

    // ---- pointers and gaps -------------------------------------------------------------------------------

    /** Relocated pointers into executable code that no function covers yet start functions there. */
    private void fromPointers() {
        List<Long> targets = new ArrayList<>();
        int width = code.is64() ? 8 : 4;
        for (int i = 0; i < code.relocCount(); i++) {
            if (code.relocWidth(i) != width) {
                continue;
            }
            long rva = code.rvaOfAddress(code.readWord(code.relocSite(i), width));
            // In an image with .pdata, a pointer from data into code outside every exact extent is an
            // address-taken function (callback, vtable slot); without .pdata it could be a switch case, so only
            // pointers into code nobody swept count.
            if (rva >= 0 && code.isCode(rva) && !candidates.containsKey(rva) && !insideExact(rva)
                    && (exactRich ? !code.isCode(code.relocSite(i)) : !insideScanned(rva)) && !isPadding(rva)) {
                targets.add(rva);
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        List<Long> added = new ArrayList<>();
        for (long t : targets) {
            if (!candidates.containsKey(t)) {
                added.add(t);
            }
            candidate(t, Found.POINTER);
        }
        addStarts(added);
        LongList found = new LongList();
        List<long[]> scanned = new ArrayList<>();
        for (long t : targets) {
            long end = extent(t, -1);
            scanned.add(new long[] {t, scan(t, end, found, false)});
        }
        mergeScanned(scanned);
    }

    private boolean isPadding(long rva) {
        return skipPadding(rva, rva + 16) > rva;
    }

    /** The first address at or after {@code rva} (below {@code end}) that is not alignment padding. */
    private long skipPadding(long rva, long end) {
        long p = rva;
        byte[] b = new byte[16];
        while (p < end) {
            int n = (int) Math.min(16, end - p);
            code.read(p, n, b, 0);
            if (n == 16 && isZero(b)) {
                p += 16;
                continue;
            }
            boolean arm64 = code.machine() == dev.hotpatch.pe.Machine.ARM64;
            if (arm64 && n >= 4 && b[0] == b[1] && b[1] == b[2] && b[2] == b[3] && (b[0] == 0 || b[0] == (byte) 0xcc)) {
                p += 4;                       // linkers align ARM64 functions with 0x00000000 or 0xcccccccc words
                continue;
            }
            decoder.reset();
            if (!decoder.decode(b, 0, n, p, step) || !step.padding) {
                if (!arm64 && b[0] == 0 && (n == 1 || b[1] == 0)) {
                    p += Math.min(2, n);      // zero fill decodes as add [rax], al
                    continue;
                }
                return p;
            }
            p += step.length;
        }
        return end;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every stretch of executable bytes outside all functions that holds more than padding is a function. The
     * walk visits each byte of file-backed code once, however the section table overlaps (hostile files repeat
     * or nest sections), and every step moves forward, so its length is bounded by the code and the starts.
     */
    private void fillGaps() {
        List<Long> gaps = new ArrayList<>();
        for (long[] range : codeRanges()) {
            long p = range[0];
            long end = range[1];
            while (p < end) {
                long covered = coveredUntil(p);
                if (covered > p) {
                    p = covered;
                    continue;
                }
                long next = nextStart(p);
                if (next <= p) {
                    next = startAfter(p);     // a known start whose extent is empty (its section ends before it)
                }
                next = Math.min(end, next);
                long q = skipPadding(p, next);
                if (q < next) {
                    gaps.add(q);
                }
                p = next;
            }
        }
        for (long g : gaps) {
            candidate(g, Found.GAP);
        }
        addStarts(gaps);
    }

    /**
     * The file-backed bytes of the executable sections as ascending ranges that do not overlap: one
     * pass over the section table, whatever NumberOfSections claims and however the sections overlap (ranges
     * that only touch stay apart, so a gap never runs from one section into the next).
     */
    private List<long[]> codeRanges() {
        List<long[]> ranges = new ArrayList<>();
        for (Section s : code.sections()) {
            if (s.isExecutable()) {
                long end = s.rva() + Math.min(s.virtualSize() > 0 ? s.virtualSize() : s.rawSize(), s.mappedSize());
                if (end > s.rva()) {
                    ranges.add(new long[] {s.rva(), end});
                }
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : ranges) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] < last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    /** The first known start strictly after {@code rva}, or Long.MAX_VALUE. */
    private long startAfter(long rva) {
        int i = lastAtOrBefore(sortedStarts, rva);
        return i + 1 < sortedStarts.length ? sortedStarts[i + 1] : Long.MAX_VALUE;
    }

    private long nextStart(long rva) {
        int i = lastAtOrBefore(sortedStarts, rva);
        long next = i + 1 < sortedStarts.length ? sortedStarts[i + 1] : Long.MAX_VALUE;
        if (i >= 0 && sortedStarts[i] == rva) {
            return rva;
        }
        return next;
    }

    /** If {@code rva} is inside a known function's extent, where that extent ends; else {@code rva}. */
    private long coveredUntil(long rva) {
        int i = lastAtOrBefore(sortedStarts, rva);
        if (i < 0) {
            return rva;
        }
        long start = sortedStarts[i];
        Candidate c = candidates.get(start);
        long exact = c != null ? c.exactEnd : fragmentEnd(start);
        long end = extent(start, exact);
        if (rva < end) {
            return end;
        }
        int e = lastAtOrBefore(exactStart, rva);
        if (e >= 0 && rva < exactEnd[e]) {
            return exactEnd[e];
        }
        return rva;
    }

    // ---- assembly ----------------------------------------------------------------------------------------

    private FunctionTable build() {
        List<Candidate> sorted = new ArrayList<>(candidates.values());
        sorted.sort((a, b) -> Long.compare(a.start, b.start));
        Map<Long, List<long[]>> extraRanges = new HashMap<>();
        Map<Long, Candidate> byExactEnd = new HashMap<>();
        for (Candidate c : sorted) {
            if (c.exactEnd > 0) {
                byExactEnd.put(c.exactEnd, c);
            }
        }
        List<Fragment> orphans = new ArrayList<>();
        fragments.sort((a, b) -> Long.compare(a.start, b.start));
        java.util.Set<Long> attached = new java.util.HashSet<>();
        for (Fragment f : fragments) {
            Candidate same = candidates.get(f.start);
            long end = f.end > 0 ? f.end : same != null && same.exactEnd > 0 ? same.exactEnd : extent(f.start, -1);
            long parent = f.parentStart;
            if (parent < 0 || !candidates.containsKey(parent)) {
                // ARM64 fragments do not name their parent: the function that ends where the fragment begins.
                Candidate before = byExactEnd.get(f.start);
                parent = before != null ? before.start : -1;
            }
            if (parent >= 0 && candidates.containsKey(parent)) {
                extraRanges.computeIfAbsent(parent, k -> new ArrayList<>()).add(new long[] {f.start, end});
                attached.add(f.start);
                byExactEnd.put(end, candidates.get(parent));
            } else {
                orphans.add(f);
            }
        }
        for (Fragment f : orphans) {
            boolean known = candidates.containsKey(f.start);
            Candidate c = candidate(f.start, Found.PDATA);
            if (c.exactEnd < 0) {
                c.exactEnd = f.end > 0 ? f.end : -1;
            }
            if (!known) {
                sorted.add(c);
            }
        }
        sorted.removeIf(c -> attached.contains(c.start));
        sorted.sort((a, b) -> Long.compare(a.start, b.start));
        if (!orphans.isEmpty()) {
            indexKnown();
        }
        List<Fn> functions = new ArrayList<>(sorted.size());
        long metadata = 0;
        long descent = 0;
        long gap = 0;
        int metadataMask = (1 << Found.PDATA.ordinal()) | (1 << Found.PDB.ordinal()) | (1 << Found.COFF_SYMBOL.ordinal())
                | (1 << Found.EXPORT.ordinal()) | (1 << Found.ENTRY_POINT.ordinal()) | (1 << Found.TLS_CALLBACK.ordinal());
        for (Candidate c : sorted) {
            List<long[]> ranges = new ArrayList<>();
            ranges.add(new long[] {c.start, extent(c.start, c.exactEnd)});
            ranges.addAll(extraRanges.getOrDefault(c.start, List.of()));
            long[] starts = new long[ranges.size()];
            long[] ends = new long[ranges.size()];
            long bytes = 0;
            for (int i = 0; i < starts.length; i++) {
                starts[i] = ranges.get(i)[0];
                ends[i] = Math.max(starts[i], ranges.get(i)[1]);
                bytes += ends[i] - starts[i];
            }
            if ((c.sources & metadataMask) != 0) {
                metadata += bytes;
            } else if ((c.sources & 1 << Found.GAP.ordinal()) != 0) {
                gap += bytes;
            } else {
                descent += bytes;
            }
            functions.add(new Fn(functions.size(), c.start, starts, ends, c.name, c.sources));
        }
        long executable = 0;
        for (Section s : code.sections()) {
            if (s.isExecutable()) {
                executable += s.virtualSize() > 0 ? s.virtualSize() : s.rawSize();
            }
        }
        return new FunctionTable(functions, new FunctionTable.Coverage(executable, metadata, descent, gap));
    }
}
