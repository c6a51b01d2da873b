package dev.hotpatch.differ.plan;

import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.FunctionDiff;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.match.Matching;
import dev.hotpatch.differ.normalise.Normaliser;
import dev.hotpatch.differ.normalise.RefTable;
import dev.hotpatch.differ.resolve.Global;
import dev.hotpatch.differ.resolve.Tokens;
import dev.hotpatch.pe.ImportedFunction;
import dev.hotpatch.pe.ImportedModule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    private final Map<String, Long> baseIat = new HashMap<>();
    private final Map<Long, Long> baseThunkByImport = new HashMap<>();

    private PatchPlanner(ImageAnalysis a, ImageAnalysis b, Matching m) {
        this.a = a;
        this.b = b;
        this.m = m;
        List<ImportedModule> modules = new ArrayList<>(a.code().image().imports());
        for (ImportedModule mod : modules) {
            for (ImportedFunction f : mod.functions()) {
                baseIat.put(mod.dllName().toLowerCase(Locale.ROOT) + "!" + f.name().orElse("#" + f.ordinal()), f.iatRva());
            }
        }
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
        UnwindPlanner unwind = new UnwindPlanner(b.code(), this::codeTarget, this::codeName);
        List<PlannedFunction> out = new ArrayList<>();
        for (FunctionDiff f : carried) {
            Fn fn = b.function(f.newIndex());
            out.add(new PlannedFunction(f.name(), f.status(), f.newIndex(),
                    f.status() == Status.CHANGED ? a.function(f.oldIndex()).entry() : -1, fn.ranges(), fixups(fn),
                    unwind.entries(fn.ranges())));
        }
        return new PatchPlan(b.code().machine(), List.copyOf(out), result.newImports());
    }

    private List<Fixup> fixups(Fn fn) throws DifferException {
        List<int[]> sites = new ArrayList<>();
        List<Fixup> crossRange = new ArrayList<>();
        int self = planIndexOfNew.get(fn.index());
        RefTable refs = new RefTable();
        Normaliser n = new Normaliser(b.code(), b.functions(), Differ.decoderFor(b.code()), refs);
        long[] snapshot = fn.saveFingerprint();
        n.normalise(fn, new Normaliser.Sink() {
            @Override
            public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef,
                                    int refCount, long normHash) {}

            @Override
            public void reference(int ref, int range, int offset, int fieldKind, int fieldOffset, int extra) {
                sites.add(new int[] {ref, range, offset, fieldKind, fieldOffset, extra});
            }

            @Override
            public void crossRange(int range, int offset, int fieldKind, int fieldOffset, int extra, int targetRange,
                                   long targetOffset) {
                crossRange.add(new Fixup(range, offset, fieldKind, fieldOffset, extra,
                        new Target.PatchFunction(self, targetRange, targetOffset, fn.displayName())));
            }
        });
        fn.restoreFingerprint(snapshot);
        List<Fixup> out = new ArrayList<>(crossRange);
        for (int[] s : sites) {
            int token = fn.tokenStart + s[0];
            out.add(new Fixup(s[1], s[2], s[3], s[4], s[5], target(token, refs.target(s[0]), refs.flags(s[0]))));
        }
        return out;
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
        Integer inPlan = planIndexOfNew.get(j);
        if (inPlan != null) {
            return new Target.PatchFunction(inPlan, range, off, fn.displayName());
        }
        if (fn.thunkKind == Tokens.IMPORT && off == 0) {
            String name = b.resolver().importNames().getOrDefault(fn.thunkValue, "import");
            Long thunk = baseThunkByImport.get(fn.thunkValue);
            return thunk != null ? new Target.BaseImportThunk(thunk, name) : new Target.NewImport(name, true);
        }
        int i = m.oldOf(j);
        if (i < 0 || range >= a.function(i).rangeCount()) {
            return new Target.Unresolved("function " + fn.displayName() + " has no counterpart in the base");
        }
        return new Target.BaseFunction(a.function(i).rangeStart(range) + off, fn.displayName());
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

    private Target target(int token, long rawTarget, int flags) {
        Tokens t = b.tokens();
        byte kind = t.kind(token);
        long value = t.value(token);
        int offset = t.offset(token);
        switch (kind) {
            case Tokens.FUNCTION -> {
                int j = (int) value;
                int range = offset >>> 24;
                long off = offset & 0xffffff;
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
            case Tokens.IMPORT -> {
                String name = b.resolver().importNames().getOrDefault(value, "import");
                boolean viaThunk = (flags & RefTable.CODE) != 0;
                if (viaThunk) {
                    Long thunk = baseThunkByImport.get(value);
                    return thunk != null ? new Target.BaseImportThunk(thunk, name) : new Target.NewImport(name, true);
                }
                Long slot = baseIat.get(name);
                return slot != null ? new Target.BaseImport(slot, name) : new Target.NewImport(name, false);
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
                int idx = (int) value;
                long rva = b.resolver().literalRva(idx);
                return new Target.PatchData(rva, b.resolver().literalLength(idx), rawTarget - rva, false);
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
