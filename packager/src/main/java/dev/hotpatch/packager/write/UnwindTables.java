package dev.hotpatch.packager.write;

import dev.hotpatch.differ.plan.PatchPlan;
import dev.hotpatch.differ.plan.PlannedFunction;
import dev.hotpatch.differ.plan.Target;
import dev.hotpatch.differ.plan.UnwindEntry;
import dev.hotpatch.packager.format.FixupKind;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.Jumps;
import dev.hotpatch.packager.image.LittleEndian;
import dev.hotpatch.packager.image.RuntimeFunctionTable;
import dev.hotpatch.pe.Machine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;

/**
 * The patch's own exception directory (x64 and ARM64): a .pdata entry for every entry the carried functions have
 * in the new image, each pointing at a copy of its unwind record in .rdata. Handlers that stay in the base are
 * reached through a small stub in the patch's .text (a .pdata handler RVA can only name the patch image itself),
 * whose jump the engine completes with a fixup like any other reference into the base.
 *
 * <p>Loaded by the engine as a DLL, the patch's .pdata is found by the system unwinder on its own; the offline
 * applier merges it into the base's exception directory.
 */
final class UnwindTables {
    private final PatchPlan plan;
    private final Machine machine;
    private final Map<Long, Long> recordPlace = new TreeMap<>();          // new unwind RVA -> patch offset, then RVA
    private final Map<Long, UnwindEntry> records = new TreeMap<>();       // new unwind RVA -> its entry
    private final Map<Target, Long> stubPlace = new LinkedHashMap<>();    // handler in the base -> stub offset, then RVA
    private final Map<Target, Integer> stubOwner = new LinkedHashMap<>(); // handler -> first function using it
    private int entryCount;

    UnwindTables(PatchPlan plan, Machine machine) {
        this.plan = plan;
        this.machine = machine;
    }

    boolean isEmpty() {
        return entryCount == 0;
    }

    /** Refuses what cannot be carried: a handler whose tables we cannot move, a chained parent left behind. */
    void refuseWhatIsNotSupported(LongUnaryOperator patchOffsetOfNew) throws PatchRefusedException {
        for (PlannedFunction f : plan.functions()) {
            for (UnwindEntry e : f.unwind()) {
                if (e.handler() instanceof Target.Unresolved u) {
                    throw new PatchRefusedException("function `" + f.name() + "` has " + u.why()
                            + "; ship the new build instead.");
                }
                if (e.chained() != null && patchOffsetOfNew.applyAsLong(e.chained()[0]) < 0) {
                    throw new PatchRefusedException("function `" + f.name() + "` continues the unwind data of code "
                            + "the patch does not carry; ship the new build instead.");
                }
            }
        }
    }

    /** Places the handler stubs at the end of .text; returns the new .text size. */
    long layoutStubs(long textSize, Function<Target, Boolean> insidePatch) {
        for (int i = 0; i < plan.functions().size(); i++) {
            for (UnwindEntry e : plan.functions().get(i).unwind()) {
                Target h = e.handler();
                if (h != null && !insidePatch.apply(h) && !stubPlace.containsKey(h)) {
                    textSize = LittleEndian.alignUp(textSize, 16);
                    stubPlace.put(h, textSize);
                    stubOwner.put(h, i);
                    textSize += stubSize(h);
                }
            }
        }
        return textSize;
    }

    /** Places the unwind records in .rdata (4-byte aligned, each copied once); returns the new .rdata size. */
    long layoutRecords(long rdataSize) {
        for (PlannedFunction f : plan.functions()) {
            for (UnwindEntry e : f.unwind()) {
                entryCount++;
                if (e.unwindInfo() != null && !recordPlace.containsKey(e.unwindRva())) {
                    rdataSize = LittleEndian.alignUp(rdataSize, 4);
                    recordPlace.put(e.unwindRva(), rdataSize);
                    records.put(e.unwindRva(), e);
                    rdataSize += e.unwindInfo().length + e.handlerData().length;
                }
            }
        }
        return rdataSize;
    }

    /** The handler stubs' RVAs (after {@link #rebase}): code the system may call indirectly. */
    List<Long> stubRvas() {
        return List.copyOf(stubPlace.values());
    }

    void rebase(long textRva, long rdataRva) {
        stubPlace.replaceAll((k, v) -> v + textRva);
        recordPlace.replaceAll((k, v) -> v + rdataRva);
    }

    /** Size of the .pdata table. */
    long tableSize() {
        return (long) entryCount * (machine == Machine.AMD64 ? 12 : 8);
    }

    /**
     * Writes the stubs into .text (their fixups go to the function that first uses each handler) and the records
     * into .rdata, with handler and chained RVAs pointing into the patch; returns the .pdata table, or null when
     * the carried functions have no entries (always on x86).
     *
     * @param patchRvaOfNew the patch RVA of a new-image code address a carried function holds, or -1
     * @param insideTarget  the patch RVA of a handler inside the patch (a carried function or an import thunk)
     */
    RuntimeFunctionTable write(byte[] text, long textRva, byte[] rdata, long rdataRva, LongUnaryOperator patchRvaOfNew,
                               Function<Target, Long> insideTarget, Map<Integer, List<FixupRecord>> extraFixups) {
        for (Map.Entry<Target, Long> s : stubPlace.entrySet()) {
            extraFixups.computeIfAbsent(stubOwner.get(s.getKey()), k -> new ArrayList<>())
                    .add(writeStub(text, (int) (s.getValue() - textRva), s.getValue(), s.getKey()));
        }
        for (Map.Entry<Long, UnwindEntry> r : records.entrySet()) {
            UnwindEntry e = r.getValue();
            int at = (int) (recordPlace.get(r.getKey()) - rdataRva);
            byte[] info = e.unwindInfo();
            System.arraycopy(info, 0, rdata, at, info.length);
            System.arraycopy(e.handlerData(), 0, rdata, at + info.length, e.handlerData().length);
            if (e.chained() != null) {
                int c = at + info.length - 12;
                LittleEndian.putInt(rdata, c, (int) patchRvaOfNew.applyAsLong(e.chained()[0]));
                LittleEndian.putInt(rdata, c + 4, (int) (patchRvaOfNew.applyAsLong(e.chained()[1] - 1) + 1));
                LittleEndian.putInt(rdata, c + 8, (int) (long) recordPlace.get(e.chained()[2]));
            } else if (e.handler() != null) {
                Long inside = insideTarget.apply(e.handler());
                LittleEndian.putInt(rdata, at + info.length - 4, (int) (long) (inside != null ? inside : stubPlace.get(e.handler())));
            }
        }
        if (isEmpty()) {
            return null;
        }
        RuntimeFunctionTable table = new RuntimeFunctionTable(machine);
        for (PlannedFunction f : plan.functions()) {
            for (UnwindEntry e : f.unwind()) {
                long begin = patchRvaOfNew.applyAsLong(e.beginRva());
                if (machine == Machine.AMD64) {
                    long end = patchRvaOfNew.applyAsLong(e.endRva() - 1) + 1;
                    table.add(begin, end, recordPlace.get(e.unwindRva()));
                } else {
                    table.add(begin, e.unwindInfo() == null ? e.packedWord() : (int) (long) recordPlace.get(e.unwindRva()));
                }
            }
        }
        return table;
    }

    private int stubSize(Target handler) {
        return handler instanceof Target.BaseImport ? Jumps.indirectSize(machine) : Jumps.directSize(machine);
    }

    /** A jump to a handler that stays in the base; the engine fills its field from the returned fixup. */
    private FixupRecord writeStub(byte[] text, int at, long rva, Target handler) {
        String name = handler.describe();
        ByteBuffer code = ByteBuffer.wrap(text);
        if (handler instanceof Target.BaseImport slot) {
            Jumps.indirectForFixup(machine, code, at, rva);
            return machine == Machine.ARM64 ? FixupRecord.adrpLdst(rva, 4, 3, slot.iatRva(), 0, name)
                    : FixupRecord.rel32(rva + 2, 0, slot.iatRva(), 0, name);
        }
        long target = handler instanceof Target.BaseFunction f ? f.rva() : ((Target.BaseImportThunk) handler).rva();
        Jumps.directForFixup(machine, code, at, rva);
        return machine == Machine.ARM64 ? FixupRecord.simple(rva, FixupKind.ARM64_BRANCH26, target, 0, name)
                : FixupRecord.rel32(rva + 1, 0, target, 0, name);
    }
}
