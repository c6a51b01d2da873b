package dev.hotpatch.differ.normalise;

import dev.hotpatch.differ.code.Arm64Decoder;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.Found;
import dev.hotpatch.differ.functions.FunctionDiscovery;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.functions.Symbols;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.hotpatch.differ.normalise.Arm64Images.RET;
import static dev.hotpatch.differ.normalise.Arm64Images.addImm;
import static dev.hotpatch.differ.normalise.Arm64Images.adrp;
import static dev.hotpatch.differ.normalise.Arm64Images.ldp;
import static dev.hotpatch.differ.normalise.Arm64Images.movz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * What a sink (the patch planner, the difference finder) sees of a function's references: every reference the
 * normaliser records is reported with the place of its field, including an ARM64 ADRP whose page no instruction
 * completes, whether an instruction overwrites the register or the range ends first (the planner must refuse
 * both rather than carry a page-relative ADRP unchanged).
 */
class NormaliserSinkTest {
    /** One reported reference: index into the RefTable, range, instruction offset, field kind and offset. */
    record Site(int ref, int range, int offset, int fieldKind, int fieldOffset) {}

    private static ImageCode code;
    private static FunctionTable table;

    @BeforeAll
    static void image() throws Exception {
        code = new ImageCode(Arm64Images.of(
                // 0x1000 pending_at_end: the page is read by an LDP (no pair completes it), then the function returns
                adrp(0, 1), ldp(1, 2, 0), RET,
                // 0x100c adrp_last: the range ends right after the ADRP
                movz(1, 7), adrp(0, 1),
                // 0x1014 overwritten: the register is overwritten before anything completes the page
                adrp(0, 1), movz(0, 1), RET,
                // 0x1020 completed: ADRP + ADD, a reference with a field the planner can fix up
                adrp(0, 1), addImm(0, 0, 0x10), RET));
        Symbols symbols = new Symbols();
        symbols.addProcedure(0x1000, 12, "pending_at_end", Found.PDB);
        symbols.addProcedure(0x100c, 8, "adrp_last", Found.PDB);
        symbols.addProcedure(0x1014, 12, "overwritten", Found.PDB);
        symbols.addProcedure(0x1020, 12, "completed", Found.PDB);
        table = FunctionDiscovery.discover(code, symbols, new Arm64Decoder());
    }

    private static Fn function(String name) {
        Fn fn = table.functions().stream().filter(f -> name.equals(f.symbol())).findFirst().orElse(null);
        assertNotNull(fn, name + " not discovered");
        return fn;
    }

    /** Normalises {@code fn} with a sink into a fresh RefTable and returns what the sink saw. */
    private static List<Site> sites(Fn fn, RefTable refs) {
        List<Site> out = new ArrayList<>();
        new Normaliser(code, table, new Arm64Decoder(), refs).normalise(fn, new Normaliser.Sink() {
            @Override
            public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef,
                                    int refCount, long normHash) {}

            @Override
            public void reference(int ref, int range, int offset, int fieldKind, int fieldOffset, int extra) {
                out.add(new Site(ref, range, offset, fieldKind, fieldOffset));
            }
        });
        return out;
    }

    /** The sink sees each reference of the function exactly once, in order. */
    private static void everyReferenceReported(Fn fn, RefTable refs, List<Site> sites) {
        List<Integer> reported = sites.stream().map(Site::ref).toList();
        List<Integer> recorded = new ArrayList<>();
        for (int i = fn.refStart; i < fn.refEnd; i++) {
            recorded.add(i);
        }
        assertEquals(recorded, reported, fn.displayName() + ": references recorded vs reported to the sink");
    }

    @Test
    void anAdrpPendingAtTheEndOfTheRangeReachesTheSinkAtTheAdrp() {
        Fn fn = function("pending_at_end");
        RefTable refs = new RefTable();
        List<Site> sites = sites(fn, refs);
        everyReferenceReported(fn, refs, sites);
        assertEquals(1, fn.refEnd - fn.refStart);
        assertEquals(Step.REF_PAGE, refs.flags(fn.refStart) & Step.REF_PAGE);
        assertEquals(Arm64Images.DATA, refs.target(fn.refStart));
        assertEquals(List.of(new Site(fn.refStart, 0, 0, Step.FIELD_NONE, 0)), sites);
    }

    @Test
    void anAdrpThatIsTheLastInstructionReachesTheSink() {
        Fn fn = function("adrp_last");
        RefTable refs = new RefTable();
        List<Site> sites = sites(fn, refs);
        everyReferenceReported(fn, refs, sites);
        assertEquals(1, fn.refEnd - fn.refStart);
        assertEquals(Step.REF_PAGE, refs.flags(fn.refStart) & Step.REF_PAGE);
        assertEquals(List.of(new Site(fn.refStart, 0, 4, Step.FIELD_NONE, 0)), sites);
    }

    @Test
    void anAdrpOverwrittenMidRangeReachesTheSinkWithNoFieldAsBefore() {
        Fn fn = function("overwritten");
        RefTable refs = new RefTable();
        List<Site> sites = sites(fn, refs);
        everyReferenceReported(fn, refs, sites);
        assertEquals(1, fn.refEnd - fn.refStart);
        assertEquals(Step.REF_PAGE, refs.flags(fn.refStart) & Step.REF_PAGE);
        assertEquals(List.of(new Site(fn.refStart, 0, 4, Step.FIELD_NONE, 0)), sites);
    }

    @Test
    void aCompletedAdrpPairIsOneReferenceOnTheCompletingInstruction() {
        Fn fn = function("completed");
        RefTable refs = new RefTable();
        List<Site> sites = sites(fn, refs);
        everyReferenceReported(fn, refs, sites);
        assertEquals(1, fn.refEnd - fn.refStart);
        assertEquals(0, refs.flags(fn.refStart) & Step.REF_PAGE);
        assertEquals(Arm64Images.DATA + 0x10, refs.target(fn.refStart));
        assertEquals(List.of(new Site(fn.refStart, 0, 4, Step.FIELD_ADRP_ADD, -4)), sites);
    }
}
