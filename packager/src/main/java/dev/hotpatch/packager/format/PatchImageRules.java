package dev.hotpatch.packager.format;

import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.BaseRelocations;
import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.packager.format.Fields.hex;

/**
 * The rules of docs/format.md, section 2.7, that need the patch image around the tables (rules 12 to 18), checked
 * for every consumer by {@link PatchImageTables}: the patch's machine (12), its sections backed by the file (13),
 * each function's code inside an executable section (14), each fixup's bytes inside the sections its kind
 * requires (15), no fixup writing the tables, the headers, a data directory or a relocated pointer (16), the
 * instruction class at each site (17, {@link FixupInstructions}) and reach from the placement (18). Each broken
 * rule is one {@link PatchFormatException} naming the record, field and value; all of them are listed, up to
 * {@link PatchLimits#MAX_REPORTED_PROBLEMS}.
 */
final class PatchImageRules {
    private static final long TWO_31 = 1L << 31;
    private static final long TWO_27 = 1L << 27;
    private static final long TWO_32 = 1L << 32;

    /** Where the tables lie: HPATCH_HEADER's RVA and Size, and the record tables' offsets from the header. */
    record Place(long rva, long size, long functionOffset, long fixupOffset) {}

    /** A range of the patch no fixup may write, with what it is. */
    private record Guarded(long start, long end, String what) {}

    private final PeImage patch;
    private final HotPatchTables tables;
    private final Place place;
    private final long placement;
    private final int machine;
    private final List<PatchFormatException> broken = new ArrayList<>();
    private final List<Guarded> guarded = new ArrayList<>();
    private long[] relocStarts = new long[0];
    private int[] relocWidths = new int[0];

    private PatchImageRules(PeImage patch, HotPatchTables tables, Place place, long placement) {
        this.patch = patch;
        this.tables = tables;
        this.place = place;
        this.placement = placement;
        this.machine = tables.base().machine();
    }

    /**
     * Every rule the image breaks.
     *
     * @param placement where the patch's RVA 0 lies relative to the base's (PatchLoad - BaseLoad), for reach
     */
    static List<PatchFormatException> check(PeImage patch, HotPatchTables tables, Place place, long placement) {
        PatchImageRules r = new PatchImageRules(patch, tables, place, placement);
        r.run();
        return List.copyOf(r.broken);
    }

    /** The placement an engine starts from (docs/format.md, 1.1): right after the base, on a 64 KB boundary. */
    static long preferredPlacement(HotPatchBase base) {
        return (base.originalSizeOfImage() + 0xFFFF) & ~0xFFFFL;
    }

    private void run() {
        if (patch.machine().code() != machine) {
            add(new PatchFormatException("patch_image", "machine", -1, "the machine HPATCH_BASE names ("
                    + hex(machine) + ", rule 12)", hex(patch.machine().code())));
            return;
        }
        for (Section s : patch.sections()) {
            if (s.rawSize() > 0 && s.rawOffset() + s.rawSize() > patch.fileLength()) {
                add(new PatchFormatException("section_header[" + s.index() + "]", "size_of_raw_data", -1,
                        "raw data inside the file (" + hex(patch.fileLength()) + " bytes, rule 13)",
                        hex(s.rawOffset()) + "+" + hex(s.rawSize())));
            }
        }
        if (!broken.isEmpty()) {
            return;
        }
        guard();
        boolean[] soundCode = new boolean[tables.functions().size()];
        for (int i = 0; i < soundCode.length && !full(); i++) {
            soundCode[i] = function(i, tables.functions().get(i));
        }
        int j = 0;
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < tables.functions().size() && !full(); i++) {
            for (FixupRecord x : tables.functions().get(i).fixups()) {
                fixup(j++, x, false).ifPresent(placed::add);
            }
        }
        for (FixupRecord x : tables.dataFixups()) {
            if (full()) {
                break;
            }
            fixup(j++, x, true).ifPresent(placed::add);
        }
        // Rules 17 and 18 in site order, so that each function's code is decoded once whatever the table order.
        placed.sort((a, b) -> Long.compare(a.fixup.siteRva(), b.fixup.siteRva()));
        FixupInstructions instructions = new FixupInstructions(patch, tables.functions(), soundCode, machine);
        for (Placed p : placed) {
            if (full()) {
                break;
            }
            instructionAndReach(p, instructions);
        }
    }

    /** A fixup that keeps rules 15 and 16: its index, and whether its bytes lie in code. */
    private record Placed(int index, FixupRecord fixup, boolean inCode) {}

    private boolean full() {
        return broken.size() >= PatchLimits.MAX_REPORTED_PROBLEMS;
    }

    private void add(PatchFormatException e) {
        if (!full()) {
            broken.add(e);
        }
    }

    /** The tables, every data directory but the certificate table (a file range) and the relocated pointers. */
    private void guard() {
        guarded.add(new Guarded(place.rva(), place.rva() + place.size(), "the hot-patch tables"));
        for (DataDirectory d : patch.dataDirectories()) {
            if (d.isPresent() && d.kind() != DirectoryKind.CERTIFICATE) {
                guarded.add(new Guarded(d.address(), d.address() + d.size(), "the " + d.kind() + " directory"));
            }
        }
        BaseRelocations relocs = patch.relocations();
        long[] packed = new long[relocs.count()];
        int n = 0;
        for (int r = 0; r < relocs.count(); r++) {
            BaseRelocationType t = relocs.type(r);
            if (t == BaseRelocationType.DIR64 || t == BaseRelocationType.HIGHLOW) {
                packed[n++] = relocs.rva(r) << 1 | (t == BaseRelocationType.DIR64 ? 1 : 0);
            }
        }
        Arrays.sort(packed, 0, n);
        relocStarts = new long[n];
        relocWidths = new int[n];
        for (int k = 0; k < n; k++) {
            relocStarts[k] = packed[k] >>> 1;
            relocWidths[k] = (packed[k] & 1) != 0 ? 8 : 4;
        }
    }

    private long functionAt(int i, int field) {
        return place.functionOffset() + (long) i * TableLayout.Function.LENGTH + field;
    }

    private long fixupAt(int j, int field) {
        return place.fixupOffset() + (long) j * TableLayout.Fixup.LENGTH + field;
    }

    /** The section whose file-backed bytes hold all of [rva, rva + width), if any. */
    private Optional<Section> backing(long rva, long width) {
        Optional<Section> s = patch.sectionAt(rva);
        return s.filter(x -> width > 0 && rva + width <= x.rva() + Math.min(x.extent(), x.mappedSize()));
    }

    /** The table or directory [start, end) overlaps, if any; with {@code relocations}, also a relocated pointer. */
    private Optional<Guarded> guardedOverlap(long start, long end, boolean relocations) {
        for (Guarded g : guarded) {
            if (start < g.end && g.start < end) {
                return Optional.of(g);
            }
        }
        if (!relocations) {
            return Optional.empty();     // a function's code holds relocated pointers to the patch's own data
        }
        int k = Arrays.binarySearch(relocStarts, end);
        k = k < 0 ? -k - 2 : k - 1;           // the last relocation starting before end
        for (int m = k; m >= 0 && m > k - 2; m--) {
            if (relocStarts[m] + relocWidths[m] > start) {
                return Optional.of(new Guarded(relocStarts[m], relocStarts[m] + relocWidths[m],
                        "the relocated pointer at " + hex(relocStarts[m])));
            }
        }
        return Optional.empty();
    }

    /** Rules 14 and 18 for a function record; whether its code keeps rule 14. */
    private boolean function(int i, FunctionRecord f) {
        String s = "function_record[" + i + "]";
        Optional<Section> code = backing(f.patchRva(), f.patchSize());
        if (code.isEmpty() || !code.get().isExecutable()) {
            add(new PatchFormatException(s, "patch_rva", functionAt(i, TableLayout.Function.PATCH_RVA),
                    "code inside the file-backed bytes of an executable section of the patch (rule 14)",
                    hex(f.patchRva()) + "+" + hex(f.patchSize()) + code.map(c -> " in " + c.name()).orElse(
                            " outside every section's file-backed bytes")).fault(PatchFormatException.Fault.OUTSIDE_PATCH));
            return false;
        }
        Optional<Guarded> g = guardedOverlap(f.patchRva(), f.patchRva() + f.patchSize(), false);
        if (g.isPresent()) {
            add(new PatchFormatException(s, "patch_rva", functionAt(i, TableLayout.Function.PATCH_RVA),
                    "code that overlaps no table (rule 14)", hex(f.patchRva()) + "+" + hex(f.patchSize()) + ", over "
                    + g.get().what).fault(PatchFormatException.Fault.OUTSIDE_PATCH));
            return false;
        }
        if (f.redirect()) {
            trampolineReach(i, f);
        }
        return true;
    }

    private void trampolineReach(int i, FunctionRecord f) {
        long delta = placement + f.patchRva() - f.baseRva();
        if (machine == HotPatchBase.MACHINE_AMD64) {
            long rel = delta - FunctionRecord.SITE_SIZE_JUMP + (f.hop() ? FunctionRecord.HOP_PADDING : 0);
            if (rel < -TWO_31 || rel >= TWO_31) {
                add(reach("function_record[" + i + "]", "patch_rva", functionAt(i, TableLayout.Function.PATCH_RVA),
                        "a trampoline jump within +-2 GB (rel32)", rel));
            }
        } else if (machine == HotPatchBase.MACHINE_ARM64 && (delta < -TWO_27 || delta >= TWO_27)) {
            add(reach("function_record[" + i + "]", "patch_rva", functionAt(i, TableLayout.Function.PATCH_RVA),
                    "a trampoline B within +-128 MB", delta));
        }
    }

    private PatchFormatException reach(String structure, String field, long offset, String what, long value) {
        return new PatchFormatException(structure, field, offset, what + " with the patch placed at base + "
                + hex(placement) + " (rule 18)", (value < 0 ? "-" : "") + hex(Math.abs(value)))
                .fault(PatchFormatException.Fault.OUT_OF_REACH);
    }

    /** Rules 15 and 16 for fixup {@code j}; the fixup when it keeps them. */
    private Optional<Placed> fixup(int j, FixupRecord x, boolean data) {
        String s = "fixup_record[" + j + "]";
        long siteField = fixupAt(j, TableLayout.Fixup.SITE_RVA);
        long width = x.kind().isAdrpPair() ? x.pairOffset() + 4L : x.kind().siteWidth(machine);
        Optional<Section> in = backing(x.siteRva(), width);
        boolean codeKind = x.kind() == FixupKind.REL32 || x.kind().isAdrpPair() || x.kind() == FixupKind.ARM64_BRANCH26;
        String place = null;
        if (in.isEmpty()) {
            place = "inside the file-backed bytes of one section of the patch";
        } else if (codeKind && !in.get().isExecutable()) {
            place = "in an executable section (a " + x.kind() + " site is an instruction)";
        } else if ((data || x.kind() == FixupKind.INDIRECT) && in.get().isExecutable()) {
            place = "in a data section (" + (data ? "a data fixup" : "an INDIRECT slot") + " is a pointer in data)";
        }
        if (place != null) {
            add(new PatchFormatException(s, "site_rva", siteField, "written bytes " + place + " (rule 15)",
                    hex(x.siteRva()) + "+" + hex(width) + in.map(c -> " in " + c.name()).orElse(""))
                    .fault(PatchFormatException.Fault.OUTSIDE_PATCH));
            return Optional.empty();
        }
        Optional<Guarded> g = guardedOverlap(x.siteRva(), x.siteRva() + x.kind().siteWidth(machine), true);
        if (g.isEmpty() && x.kind().isAdrpPair()) {
            g = guardedOverlap(x.siteRva() + x.pairOffset(), x.siteRva() + x.pairOffset() + 4, true);
        }
        if (g.isPresent()) {
            add(new PatchFormatException(s, "site_rva", siteField, "bytes outside the tables, headers, data "
                    + "directories and relocated pointers (rule 16)", hex(x.siteRva()) + ", in " + g.get().what)
                    .fault(PatchFormatException.Fault.INTO_TABLES));
            return Optional.empty();
        }
        return Optional.of(new Placed(j, x, in.get().isExecutable()));
    }

    /** Rules 17 and 18 for a placed fixup. */
    private void instructionAndReach(Placed p, FixupInstructions instructions) {
        int j = p.index;
        FixupRecord x = p.fixup;
        String s = "fixup_record[" + j + "]";
        String wrong = instructions.problem(x, p.inCode);
        if (wrong != null) {
            int cut = wrong.lastIndexOf(", found ");
            add(new PatchFormatException(s, "kind", fixupAt(j, TableLayout.Fixup.KIND), "for " + x.kind() + " at "
                    + hex(x.siteRva()) + ", " + (cut < 0 ? wrong : wrong.substring(0, cut)) + " (rule 17)",
                    cut < 0 ? "other bytes" : wrong.substring(cut + ", found ".length()))
                    .fault(PatchFormatException.Fault.WRONG_INSTRUCTION));
            return;
        }
        fixupReach(s, j, x);
    }

    private void fixupReach(String s, int j, FixupRecord x) {
        long target = x.targetRva() + x.addend();
        long site = placement + x.siteRva();
        long value;
        String what;
        long limit;
        switch (x.kind()) {
            case REL32 -> {
                if (machine != HotPatchBase.MACHINE_AMD64) {
                    return;               // x86: 32-bit arithmetic wraps and always reaches
                }
                value = target - (site + 4 + x.tail());
                what = "a REL32 value within +-2 GB";
                limit = TWO_31;
            }
            case ARM64_BRANCH26 -> {
                value = target - site;
                what = "a BRANCH26 target within +-128 MB of the B/BL";
                limit = TWO_27;
            }
            case ARM64_ADRP_ADD, ARM64_ADRP_LDST -> {
                value = (target & ~0xFFFL) - (site & ~0xFFFL);
                what = "an ADRP target page within +-4 GB";
                limit = TWO_32;
            }
            default -> {
                return;                   // absolute kinds: no constraint
            }
        }
        if (value < -limit || value >= limit) {
            add(reach(s, x.addend() != 0 ? "addend" : "target_rva", fixupAt(j, x.addend() != 0
                    ? TableLayout.Fixup.ADDEND : TableLayout.Fixup.TARGET_RVA), what, value));
        }
    }
}
