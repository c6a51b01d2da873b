package dev.hotpatch.packager.verify;

import dev.hotpatch.packager.format.FixupKind;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.HotPatchTablesWriter;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Mutants of a sound patch image, each breaking one structural rule of docs/format.md, section 2.7 (the kind of
 * change issue 11 tried as an attacker: records moved onto other bytes, out of reach, into the tables, headers
 * that lie). Each knows the rule it breaks and the verification kind that must name it. Built from the real
 * patches the writer makes for the samples, so the sound patch itself keeps every rule.
 */
public final class StructuralMutants {
    /** One mutant: what it does, the rule ("rule 17") its error must name, the kind verify must report. */
    public record Mutant(String name, String rule, PatchProblem.Kind kind, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final byte[] patch;
    private final PeImage image;
    private final PeImage base;
    private final HotPatchTables tables;
    private final int tablesAt;
    private final String arch;

    public StructuralMutants(String arch, byte[] patch, PeImage base) throws Exception {
        this.arch = arch;
        this.patch = patch;
        this.image = PeReader.read(patch, "patch");
        this.base = base;
        this.tables = PatchImageTables.read(image).orElseThrow();
        long rva = image.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        Section s = image.sectionAt(rva).orElseThrow();
        this.tablesAt = (int) (s.rawOffset() + rva - s.rva());
    }

    /** Every mutant this patch allows (some rules need a kind of record or a machine the patch may not have). */
    public List<Mutant> all() throws Exception {
        List<Mutant> out = new ArrayList<>();
        Section text = image.section(".text").orElseThrow();
        long tablesRva = image.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        int textHeader = sectionHeader(text.index());

        out.add(new Mutant("patch machine differs from HPATCH_BASE", "rule 12", PatchProblem.Kind.MALFORMED_TABLES,
                edit(b -> b.putShort(ntHeaders() + 4, (short) (arch.equals("x86") ? 0x8664 : 0x14c)))));
        out.add(new Mutant(".text PointerToRawData 0x7FFFFFFF", "rule 13", PatchProblem.Kind.MALFORMED_TABLES,
                edit(b -> b.putInt(textHeader + 20, 0x7FFFFFFF))));
        out.add(new Mutant(".text SizeOfRawData 0xFFFFFFFF", "rule 13", PatchProblem.Kind.MALFORMED_TABLES,
                edit(b -> b.putInt(textHeader + 16, 0xFFFFFFFF))));
        out.add(new Mutant(".text SizeOfRawData 0 (code of nothing)", "rule 14", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                edit(b -> b.putInt(textHeader + 16, 0))));
        out.add(new Mutant("function code in .hpatch", "rule 14", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                tables(t -> function(t, 0, f -> moved(f, tablesRva)))));
        out.add(new Mutant("function code past the image", "rule 14", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                tables(t -> function(t, 0, f -> moved(f, 0x7FFF0000L)))));

        FunctionRecord first = tables.functions().get(0);
        int run = runWithFixups();
        FunctionRecord owner = tables.functions().get(run);
        FixupRecord last = owner.fixups().get(owner.fixups().size() - 1);
        out.add(new Mutant("fixup site outside every section", "rule 15", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                tables(t -> fixup(t, run, last, x -> site(x, 0x7FFFFF00L)))));
        if (arch.equals("arm64")) {
            fixupOf(FixupKind.ARM64_ADRP_ADD, FixupKind.ARM64_ADRP_LDST).ifPresent(f -> out.add(new Mutant(
                    "ADRP PairOffset 0xFFFC", "rule 15", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                    tables(t -> fixup(t, f.run, f.fixup, x -> new FixupRecord(x.siteRva(), x.kind(), x.tail(),
                            x.accessShift(), 0xFFFC, x.targetRva(), x.addend(), x.name()))))));
        } else {
            long end = text.rva() + text.virtualSize();
            out.add(new Mutant("REL32 straddling the end of .text", "rule 15", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                    tables(t -> fixup(t, run, last, x -> site(x, end - 2)))));
        }
        long loadConfig = image.directory(DirectoryKind.LOAD_CONFIG).orElseThrow().address();
        FixupKind pointer = arch.equals("x86") ? FixupKind.X86_ABS32 : FixupKind.X64_ABS64;
        out.add(new Mutant("fixup writing the load config", "rule 16", PatchProblem.Kind.FIXUP_INTO_TABLES,
                tables(t -> fixup(t, run, last, x -> FixupRecord.simple(loadConfig, pointer, x.targetRva(), 0, x.name())))));
        out.add(new Mutant("fixup writing the hot-patch tables", "rule 16", PatchProblem.Kind.FIXUP_INTO_TABLES,
                tables(t -> fixup(t, run, last, x -> FixupRecord.simple(tablesRva + 0x40, pointer, x.targetRva(), 0,
                        x.name())))));
        if (arch.equals("arm64")) {
            Located b = fixupOf(FixupKind.ARM64_BRANCH26).orElseThrow();
            long entry = tables.functions().get(b.run).patchRva();
            out.add(new Mutant("BRANCH26 moved onto a non-branch", "rule 17", PatchProblem.Kind.WRONG_INSTRUCTION,
                    tables(t -> fixup(t, b.run, b.fixup, x -> site(x, entry)))));
            out.add(new Mutant("BRANCH26 beyond +-128 MB", "rule 18", PatchProblem.Kind.OUT_OF_REACH,
                    tables(t -> fixup(t, b.run, b.fixup, x -> addend(x, x.addend() - 0x4000000 * 2)))));
            if (!base.runtimeFunctions().isEmpty()) {      // which function holds a byte: the function table
                out.add(new Mutant("trampoline at mid-function", "rule 19", PatchProblem.Kind.RECORD_OUTSIDE_BASE,
                        tables(t -> function(t, 0, f -> redirected(f, f.baseRva() + 4)))));
            }
        } else {
            Located r = fixupOf(FixupKind.REL32).orElseThrow();
            out.add(new Mutant("REL32 Tail that is not the instruction's", "rule 17", PatchProblem.Kind.WRONG_INSTRUCTION,
                    tables(t -> fixup(t, r.run, r.fixup, x -> FixupRecord.rel32(x.siteRva(), x.tail() == 0 ? 1 : 0,
                            x.targetRva(), x.addend(), x.name())))));
            long entry = tables.functions().get(r.run).patchRva();
            out.add(new Mutant("REL32 moved onto an opcode", "rule 17", PatchProblem.Kind.WRONG_INSTRUCTION,
                    tables(t -> fixup(t, r.run, r.fixup, x -> site(x, entry)))));
            if (arch.equals("x64")) {
                out.add(new Mutant("REL32 beyond +-2 GB", "rule 18", PatchProblem.Kind.OUT_OF_REACH,
                        tables(t -> fixup(t, r.run, r.fixup, x -> addend(x, Integer.MIN_VALUE)))));
                out.add(new Mutant("trampoline at mid-function", "rule 19", PatchProblem.Kind.RECORD_OUTSIDE_BASE,
                        tables(t -> function(t, 0, f -> redirected(f, f.baseRva() + 1)))));
            }
        }
        if (arch.equals("x86")) {       // no function table: the functions the base exports
            long other = base.exports().orElseThrow().entries().stream().mapToLong(e -> e.rva())
                    .filter(rva -> tables.functions().stream().noneMatch(f -> Math.abs(f.baseRva() - rva) < 16))
                    .min().orElseThrow();
            out.add(new Mutant("trampoline over another function's entry", "rule 19",
                    PatchProblem.Kind.RECORD_OUTSIDE_BASE, tables(t -> function(t, 0, f -> redirected(f, other - 2)))));
        }
        Section data = base.sections().stream().filter(s -> !s.isExecutable() && s.mappedSize() > 16).findFirst()
                .orElseThrow();
        out.add(new Mutant("trampoline in the base's " + data.name(), "rule 19", PatchProblem.Kind.RECORD_OUTSIDE_BASE,
                tables(t -> function(t, 0, f -> redirected(f, data.rva())))));
        out.add(new Mutant("trampoline in the base's headers", "rule 19", PatchProblem.Kind.RECORD_OUTSIDE_BASE,
                tables(t -> function(t, 0, f -> redirected(f, 0x40)))));
        if (!first.redirect()) {
            throw new IllegalStateException("the first function record of the sample patch is not a REDIRECT");
        }
        return out;
    }

    /**
     * Mutants of a patch's data fixups (pointers to base functions or globals in carried data): one moved into
     * code (rule 15), one onto a pointer the patch's own relocations cover (rule 16). Empty without data fixups.
     */
    public List<Mutant> dataFixupMutants() {
        List<Mutant> out = new ArrayList<>();
        if (tables.dataFixups().isEmpty()) {
            return out;
        }
        FixupRecord last = tables.dataFixups().get(tables.dataFixups().size() - 1);
        long code = image.section(".text").orElseThrow().rva();
        out.add(new Mutant("data fixup in code", "rule 15", PatchProblem.Kind.RECORD_OUTSIDE_PATCH,
                tables(t -> dataFixup(t, last, x -> site(x, code)))));
        for (int r = 0; r < image.relocations().count(); r++) {
            boolean inData = image.sectionAt(image.relocations().rva(r)).filter(x -> !x.isExecutable()).isPresent();
            if (inData && (image.relocations().type(r) == dev.hotpatch.pe.BaseRelocationType.HIGHLOW
                    || image.relocations().type(r) == dev.hotpatch.pe.BaseRelocationType.DIR64)) {
                long relocated = image.relocations().rva(r);
                out.add(new Mutant("data fixup writing a relocated pointer", "rule 16",
                        PatchProblem.Kind.FIXUP_INTO_TABLES, tables(t -> dataFixup(t, last, x -> site(x, relocated)))));
                break;
            }
        }
        return out;
    }

    private static HotPatchTables dataFixup(HotPatchTables t, FixupRecord which, UnaryOperator<FixupRecord> change) {
        List<FixupRecord> fixups = new ArrayList<>(t.dataFixups());
        fixups.set(fixups.indexOf(which), change.apply(which));
        return new HotPatchTables(t.header(), t.base(), t.functions(), fixups);
    }

    // ---- the edits ----------------------------------------------------------------------------------------

    private interface Edit {
        void apply(ByteBuffer b);
    }

    private byte[] edit(Edit e) {
        byte[] out = patch.clone();
        e.apply(ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
        return out;
    }

    private int ntHeaders() {
        return ByteBuffer.wrap(patch).order(ByteOrder.LITTLE_ENDIAN).getInt(0x3C);
    }

    private int sectionHeader(int index) {
        ByteBuffer b = ByteBuffer.wrap(patch).order(ByteOrder.LITTLE_ENDIAN);
        int nt = ntHeaders();
        return nt + 24 + Short.toUnsignedInt(b.getShort(nt + 20)) + 40 * index;
    }

    /** The patch with other tables of the same length written where its tables are. */
    private byte[] tables(UnaryOperator<HotPatchTables> change) {
        byte[] bytes = HotPatchTablesWriter.write(change.apply(tables));
        byte[] out = patch.clone();
        System.arraycopy(bytes, 0, out, tablesAt, bytes.length);
        return out;
    }

    private static HotPatchTables function(HotPatchTables t, int i, UnaryOperator<FunctionRecord> change) {
        List<FunctionRecord> functions = new ArrayList<>(t.functions());
        functions.set(i, change.apply(functions.get(i)));
        return new HotPatchTables(t.header(), t.base(), functions, t.dataFixups());
    }

    private static HotPatchTables fixup(HotPatchTables t, int run, FixupRecord which, UnaryOperator<FixupRecord> change) {
        return function(t, run, f -> {
            List<FixupRecord> fixups = new ArrayList<>(f.fixups());
            fixups.set(fixups.indexOf(which), change.apply(which));
            return new FunctionRecord(f.baseRva(), f.patchRva(), f.patchSize(), f.flags(), f.siteRva(),
                    f.originalBytes(), fixups, f.name());
        });
    }

    private static FunctionRecord moved(FunctionRecord f, long patchRva) {
        return new FunctionRecord(f.baseRva(), patchRva, f.patchSize(), f.flags(), f.siteRva(), f.originalBytes(),
                f.fixups(), f.name());
    }

    /** A REDIRECT record that now replaces the base function at {@code baseRva} (its site moves along). */
    private static FunctionRecord redirected(FunctionRecord f, long baseRva) {
        return new FunctionRecord(baseRva, f.patchRva(), f.patchSize(), f.flags(), baseRva, f.originalBytes(),
                f.fixups(), f.name());
    }

    private static FixupRecord site(FixupRecord x, long siteRva) {
        return new FixupRecord(siteRva, x.kind(), x.tail(), x.accessShift(), x.pairOffset(), x.targetRva(), x.addend(),
                x.name());
    }

    private static FixupRecord addend(FixupRecord x, int addend) {
        return new FixupRecord(x.siteRva(), x.kind(), x.tail(), x.accessShift(), x.pairOffset(), x.targetRva(), addend,
                x.name());
    }

    private record Located(int run, FixupRecord fixup) {}

    private int runWithFixups() {
        for (int i = 0; i < tables.functions().size(); i++) {
            if (!tables.functions().get(i).fixups().isEmpty()) {
                return i;
            }
        }
        throw new IllegalStateException("the sample patch has no fixups");
    }

    /** The first fixup of one of those kinds whose site is not its function's entry. */
    private Optional<Located> fixupOf(FixupKind... kinds) {
        for (int i = 0; i < tables.functions().size(); i++) {
            FunctionRecord f = tables.functions().get(i);
            for (FixupRecord x : f.fixups()) {
                if (List.of(kinds).contains(x.kind()) && x.siteRva() != f.patchRva()) {
                    return Optional.of(new Located(i, x));
                }
            }
        }
        return Optional.empty();
    }
}
