package dev.hotpatch.differ.plan;

import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.classify.Classifier;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.FunctionDiff;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.match.Matching;
import dev.hotpatch.differ.msvc.ThrowInfos;
import dev.hotpatch.differ.normalise.Normaliser;
import dev.hotpatch.differ.normalise.RefTable;
import dev.hotpatch.differ.resolve.Global;
import dev.hotpatch.differ.resolve.Tokens;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Works out what a patch must contain: for each changed or new function, its code ranges in the new image and,
 * for every reference its code makes (found by normalising it again with a sink that reports each field),
 * where that reference must lead once the patch is applied: an unchanged function or matched global of the
 * base, the base's IAT slot or import thunk, another patch function, a global or import only the new build
 * has, or read-only data the patch carries a copy of.
 */
public final class PatchPlanner {
    private final ImageAnalysis a;
    private final ImageAnalysis b;
    private final Matching m;
    private final Map<Integer, Integer> planIndexOfNew = new HashMap<>();
    private final Map<Long, Long> baseThunkByImport = new HashMap<>();

    private PatchPlanner(ImageAnalysis a, ImageAnalysis b, Matching m) {
        this.a = a;
        this.b = b;
        this.m = m;
        for (Fn f : a.functions().functions()) {
            if (f.thunkKind == Tokens.IMPORT) {
                baseThunkByImport.putIfAbsent(f.thunkValue, f.entry());
            }
        }
    }

    public static PatchPlan plan(ImageAnalysis oldImage, ImageAnalysis newImage, Matching matching, DiffResult result)
            throws DifferException {
        return new PatchPlanner(oldImage, newImage, matching).run(result);
    }

    private PatchPlan run(DiffResult result) throws DifferException {
        List<FunctionDiff> carried = result.functions().stream()
                .filter(f -> f.status() == Status.CHANGED || f.status() == Status.NEW).toList();
        for (int i = 0; i < carried.size(); i++) {
            planIndexOfNew.put(carried.get(i).newIndex(), i);
        }
        // Unchanged functions the carried code reaches with a short branch (x86 jmp/jcc rel8, ARM64 b.cond, cbz,
        // tbz) cannot be reached from the patch in the base: they travel along as companions, laid out at the same
        // distance as in the new image (gcc's .part and .cold functions sit right beside their callers).
        List<Integer> companions = new ArrayList<>();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        carried.forEach(f -> work.add(f.newIndex()));
        while (!work.isEmpty()) {
            Fn fn = b.function(work.poll());
            for (long[] s : sites(fn).references()) {
                int token = fn.tokenStart + (int) s[0];
                if (isShort((int) s[3]) && b.tokens().kind(token) == Tokens.FUNCTION) {
                    int j = (int) b.tokens().value(token);
                    if (!planIndexOfNew.containsKey(j)) {
                        planIndexOfNew.put(j, carried.size() + companions.size());
                        companions.add(j);
                        work.add(j);
                    }
                }
            }
        }
        UnwindPlanner unwind = new UnwindPlanner(b.code(), this::codeTarget, this::codeName);
        List<PlannedFunction> out = new ArrayList<>();
        for (FunctionDiff f : carried) {
            Fn fn = b.function(f.newIndex());
            out.add(new PlannedFunction(f.name(), f.status(), f.newIndex(),
                    f.status() == Status.CHANGED ? a.function(f.oldIndex()).entry() : -1, fn.ranges(), fixups(fn),
                    unwind.entries(fn.ranges()),
                    f.status() == Status.CHANGED && Classifier.redirectsWithHop(a, a.function(f.oldIndex()))));
        }
        for (int j : companions) {
            Fn fn = b.function(j);
            out.add(new PlannedFunction(fn.displayName(), Status.SAME, j, -1, fn.ranges(), fixups(fn),
                    unwind.entries(fn.ranges()), false));
        }
        return new PatchPlan(b.code().machine(), List.copyOf(out), result.newImports(), dataPointers(out));
    }

    /**
     * A carried function's references as the normaliser reports them, kept so each function is normalised once:
     * {ref, range, offset, fieldKind, fieldOffset, extra, target, flags} and {range, offset, fieldKind, fieldOffset,
     * extra, targetRange, targetOffset} for branches between its ranges.
     */
    private record Sites(List<long[]> references, List<long[]> crossRange) {}

    private final Map<Integer, Sites> normalised = new HashMap<>();
    private Normaliser replayer;

    private Sites sites(Fn fn) throws DifferException {
        Sites known = normalised.get(fn.index());
        if (known != null) {
            return known;
        }
        if (replayer == null) {
            replayer = new Normaliser(b.code(), b.functions(), Differ.decoderFor(b.code()));
        }
        List<long[]> references = new ArrayList<>();
        List<long[]> crossRange = new ArrayList<>();
        RefTable refs = replayer.replay(fn, new Normaliser.Sink() {
            @Override
            public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef,
                                    int refCount, long normHash) {}

            @Override
            public void reference(int ref, int range, int offset, int fieldKind, int fieldOffset, int extra) {
                references.add(new long[] {ref, range, offset, fieldKind, fieldOffset, extra, 0, 0});
            }

            @Override
            public void crossRange(int range, int offset, int fieldKind, int fieldOffset, int extra, int targetRange,
                                   long targetOffset) {
                crossRange.add(new long[] {range, offset, fieldKind, fieldOffset, extra, targetRange, targetOffset});
            }
        });
        for (long[] r : references) {          // the table holds them only until the next replay
            r[6] = refs.target((int) r[0]);
            r[7] = refs.flags((int) r[0]);
        }
        Sites out = new Sites(references, crossRange);
        normalised.put(fn.index(), out);
        return out;
    }

    /** Every reference of a carried function with where it must lead. */
    private List<Fixup> fixups(Fn fn) throws DifferException {
        Sites sites = sites(fn);
        int self = planIndexOfNew.get(fn.index());
        List<Fixup> out = new ArrayList<>();
        for (long[] c : sites.crossRange()) {
            out.add(new Fixup((int) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4],
                    new Target.PatchFunction(self, (int) c[5], c[6], fn.displayName())));
        }
        for (long[] r : sites.references()) {
            out.add(new Fixup((int) r[1], (int) r[2], (int) r[3], (int) r[4], (int) r[5],
                    target(fn.tokenStart + (int) r[0], r[6], (int) r[7])));
        }
        return out;
    }

    /**
     * A ThrowInfo the carried code passes to {@code _CxxThrowException} (x64, ARM64): its fields are RVAs relative to
     * the module that holds it, so a copy in the patch would lead nowhere. The code is bound to the base's ThrowInfo
     * of the same meaning (the same types, destructor and copy constructors); a type the base never throws cannot
     * be patched in yet.
     */
    private Target throwInfoTarget(String wanted) {
        if (baseThrowInfos == null) {
            baseThrowInfos = new HashMap<>();
            for (int i = 0; i < a.resolver().literalCount(); i++) {
                long at = a.resolver().literalRva(i);
                if (a.resolver().isExceptionStructure(i)) {
                    ThrowInfos.meaning(a.code(), at, this::oldCodeIdentity)
                            .ifPresent(mn -> baseThrowInfos.merge(mn, at, Math::min));
                }
            }
        }
        Long inBase = baseThrowInfos.get(wanted);
        if (inBase == null) {
            return new Target.Unresolved("an exception type the base never throws (" + wanted
                    + "), whose ThrowInfo this version of the patch writer cannot carry");
        }
        return new Target.BaseGlobal(inBase, "the base's ThrowInfo " + wanted);
    }

    private Map<String, Long> baseThrowInfos;

    /** A new-image code address as "the old function it matches + offset", or a name no old address has. */
    private String newCodeIdentity(long rva) {
        int f = b.functions().functionAt(rva);
        int old = f >= 0 ? m.oldOf(f) : -1;
        return old >= 0 ? "f" + old + "+" + (rva - b.function(f).entry()) : "new@" + rva;
    }

    private String oldCodeIdentity(long rva) {
        int f = a.functions().functionAt(rva);
        return f >= 0 ? "f" + f + "+" + (rva - a.function(f).entry()) : "old@" + rva;
    }

    /**
     * Where the base holds the same read-only bytes as [rva, rva + length) of the new image, found among the base's
     * literals with the same leading bytes; -1 when it does not (or the bytes hold pointers, which would have to be
     * compared by what they point at). The lowest such address, so the answer does not depend on hash order.
     */
    private long sameDataInBase(int literal, long rva, long length) {
        return sharedData.computeIfAbsent(List.of(rva, length), k -> findSameDataInBase(literal, rva, length));
    }

    private final Map<List<Long>, Long> sharedData = new HashMap<>();

    private long findSameDataInBase(int literal, long rva, long length) {
        if (length <= 0 || length > MAX_SHARED_DATA || !b.resolver().slots(rva, (int) length).isEmpty()) {
            return -1;
        }
        if (baseLiterals == null) {
            baseLiterals = new HashMap<>();
            for (int i = 0; i < a.resolver().literalCount(); i++) {
                baseLiterals.computeIfAbsent(a.resolver().literalPrefix(i), k -> new ArrayList<>())
                        .add(a.resolver().literalRva(i));
            }
        }
        byte[] want = new byte[(int) length];
        b.code().read(rva, want.length, want, 0);
        long start = b.resolver().literalRva(literal);
        long best = -1;
        byte[] have = new byte[want.length];
        for (long candidate : baseLiterals.getOrDefault(b.resolver().literalPrefix(literal), List.of())) {
            long at = candidate - (start - rva);
            if (at < 0 || !a.code().mapped(at, want.length)) {
                continue;
            }
            a.code().read(at, have.length, have, 0);
            if (java.util.Arrays.equals(want, have) && a.resolver().slots(at, want.length).isEmpty()
                    && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /**
     * A literal's length, extended to its terminating NUL when it is the head of a string that goes on past the
     * literal's extent (the extent ends where something refers into the string, such as a shared suffix): the code
     * reads the whole string, so the copy or the comparison must cover it.
     */
    private int throughTerminator(long rva, int length) {
        byte[] head = new byte[length];
        b.code().read(rva, length, head, 0);
        for (byte x : head) {
            if (x == 0 || (x & 0xff) < 0x20 && x != '\t' && x != '\n' && x != '\r') {
                return length;
            }
        }
        byte[] tail = new byte[4096];
        b.code().read(rva + length, tail.length, tail, 0);
        for (int i = 0; i < tail.length; i++) {
            if (tail[i] == 0) {
                return length + i + 1;
            }
            if ((tail[i] & 0xff) < 0x20 && tail[i] != '\t' && tail[i] != '\n' && tail[i] != '\r') {
                return length;
            }
        }
        return length;
    }

    /** Longest read-only data looked up in the base instead of carried (literals are at most a few KB). */
    private static final int MAX_SHARED_DATA = 1 << 16;
    private Map<Long, List<Long>> baseLiterals;

    /** A branch field too short to reach the base from wherever the patch is mapped. */
    private static boolean isShort(int fieldKind) {
        return fieldKind == Step.FIELD_REL8 || fieldKind == Step.FIELD_BRANCH19 || fieldKind == Step.FIELD_BRANCH14;
    }

    /** Where a code address of the new image (an exception handler) leads once the patch is applied. */
    private Target codeTarget(long rva) {
        int j = b.functions().functionAt(rva);
        if (j < 0) {
            return new Target.Unresolved(String.format("code at rva 0x%x outside every function", rva));
        }
        Fn fn = b.function(j);
        int range = b.functions().rangeIndexAt(rva);
        long off = rva - fn.rangeStart(range);
        if (fn.thunkKind == Tokens.IMPORT && off == 0 && !planIndexOfNew.containsKey(j)) {
            return importTarget(fn.thunkValue, true);
        }
        return functionTarget(j, range, off);
    }

    /** Where an address in range {@code range} of new-image function {@code j} leads: into the patch or the base. */
    private Target functionTarget(int j, int range, long off) {
        Integer inPlan = planIndexOfNew.get(j);
        if (inPlan != null) {
            return new Target.PatchFunction(inPlan, range, off, b.function(j).displayName());
        }
        int i = m.oldOf(j);
        if (i < 0 || range >= a.function(i).rangeCount()) {
            return new Target.Unresolved("function " + b.function(j).displayName() + " has no counterpart in the base");
        }
        return new Target.BaseFunction(a.function(i).rangeStart(range) + off, b.function(j).displayName());
    }

    /** Where an import leads: the base's thunk or IAT slot for it, or a new import (through a thunk of the patch). */
    private Target importTarget(long importHash, boolean viaThunk) {
        String name = b.resolver().importNames().getOrDefault(importHash, "import");
        if (viaThunk) {
            Long thunk = baseThunkByImport.get(importHash);
            return thunk != null ? new Target.BaseImportThunk(thunk, name) : new Target.NewImport(name, true);
        }
        long slot = a.resolver().iatRvaOf(name);
        return slot >= 0 ? new Target.BaseImport(slot, name) : new Target.NewImport(name, false);
    }

    /** A name for a code address of the new image: its function's, or the import its thunk jumps to. */
    private String codeName(long rva) {
        int j = b.functions().functionAt(rva);
        if (j < 0) {
            return String.format("rva 0x%x", rva);
        }
        Fn fn = b.function(j);
        return fn.thunkKind == Tokens.IMPORT
                ? b.resolver().importNames().getOrDefault(fn.thunkValue, fn.displayName())
                : fn.symbol() != null ? fn.symbol() : fn.displayName();
    }

    /**
     * Every pointer stored in the data the plan carries (literals and new globals the functions refer to, and
     * transitively the literals and new globals those pointers reach), resolved like a code reference.
     */
    private Map<Long, DataPointer> dataPointers(List<PlannedFunction> functions) {
        Map<Long, DataPointer> out = new TreeMap<>();
        ArrayDeque<Target> work = new ArrayDeque<>();
        for (PlannedFunction f : functions) {
            for (Fixup x : f.fixups()) {
                work.add(x.target());
            }
        }
        Set<Long> seen = new HashSet<>();
        while (!work.isEmpty()) {
            Target t = work.poll();
            long rva;
            long length;
            if (t instanceof Target.PatchData d && !d.jumpTable()) {
                rva = d.newRva();
                length = d.length();
            } else if (t instanceof Target.NewGlobal g) {
                rva = g.newRva();
                length = g.size();
            } else {
                continue;
            }
            if (!seen.add(rva << 24 ^ length)) {
                continue;
            }
            for (long[] slot : b.resolver().slots(rva, (int) Math.min(length, Integer.MAX_VALUE))) {
                long site = rva + slot[0];
                Target to = slot[2] < 0
                        ? new Target.Unresolved(String.format("a pointer at new rva 0x%x cut by the data's edge", site))
                        : pointerTarget(slot[2]);
                out.putIfAbsent(site, new DataPointer(site, (int) slot[1], to));
                work.add(to);
            }
        }
        return out;
    }

    /** Where an address stored in data leads: what the resolver identifies there, placed like a code reference. */
    private Target pointerTarget(long rva) {
        long[] token = b.resolver().identify(rva);
        return target((byte) token[0], token[1], (int) token[2], rva, 0);
    }

    private Target target(int token, long rawTarget, int flags) {
        Tokens t = b.tokens();
        return target(t.kind(token), t.value(token), t.offset(token), rawTarget, flags);
    }

    private Target target(byte kind, long value, int offset, long rawTarget, int flags) {
        switch (kind) {
            case Tokens.FUNCTION -> {
                return functionTarget((int) value, offset >>> 24, offset & 0xffffff);
            }
            case Tokens.IMPORT -> {
                return importTarget(value, (flags & RefTable.CODE) != 0);
            }
            case Tokens.GLOBAL -> {
                Global g = b.resolver().globals().get((int) value);
                int i = m.oldGlobalOf((int) value);
                if (i >= 0) {
                    return new Target.BaseGlobal(a.resolver().globals().get(i).rva() + offset, g.displayName());
                }
                return new Target.NewGlobal(g.rva(), g.size(), offset, g.displayName());
            }
            case Tokens.LITERAL -> {
                // A negative offset is the resolver's biased table[i - 1]: the reference lies before the data it
                // reads. The copy (or the base's bytes) then starts at the reference, so it holds whatever the
                // code may read.
                int idx = (int) value;
                if (b.resolver().isExceptionStructure(idx) && offset == 0) {
                    java.util.Optional<String> meaning = ThrowInfos.meaning(b.code(), b.resolver().literalRva(idx),
                            this::newCodeIdentity);
                    if (meaning.isPresent()) {
                        return throwInfoTarget(meaning.get());
                    }
                }
                long start = b.resolver().literalRva(idx) + Math.min(offset, 0);
                int length = throughTerminator(start, b.resolver().literalLength(idx) - Math.min(offset, 0));
                long inBase = sameDataInBase(idx, start, length);
                if (inBase >= 0) {
                    // The base holds these bytes already: refer to its copy, which also holds whatever lies past
                    // the literal's extent (a table the code indexes beyond the next address anything names).
                    return new Target.BaseGlobal(inBase + Math.max(offset, 0),
                            "read-only data " + b.resolver().literalText(idx));
                }
                return new Target.PatchData(start, length, Math.max(offset, 0), false);
            }
            case Tokens.TABLE -> {
                return new Target.PatchData(rawTarget, 0, 0, true);
            }
            case Tokens.ABSOLUTE -> {
                boolean header = rawTarget >= 0 && rawTarget < b.code().image().optionalHeader().sizeOfHeaders();
                return header ? new Target.BaseAddress(rawTarget)
                        : new Target.Unresolved(String.format("address rva 0x%x lies outside every section", rawTarget));
            }
            case Tokens.PAGE -> {
                return new Target.Unresolved("an ARM64 page address no instruction completes");
            }
            default -> {
                return new Target.Unresolved(String.format("code at rva 0x%x outside every function", rawTarget));
            }
        }
    }
}
