package dev.hotpatch.packager.write;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.plan.DataPointer;
import dev.hotpatch.differ.plan.Fixup;
import dev.hotpatch.differ.plan.PatchPlan;
import dev.hotpatch.differ.plan.PlannedFunction;
import dev.hotpatch.differ.plan.Target;
import dev.hotpatch.packager.format.Arm64Fields;
import dev.hotpatch.packager.format.CanonicalBaseHash;
import dev.hotpatch.packager.format.FixupKind;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchBase;
import dev.hotpatch.packager.format.HotPatchHeader;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.HotPatchTablesWriter;
import dev.hotpatch.packager.format.Jumps;
import dev.hotpatch.packager.image.LittleEndian;
import dev.hotpatch.packager.image.ImportDirectory;
import dev.hotpatch.packager.image.ImportDirectoryBuilder;
import dev.hotpatch.packager.image.LoadConfigBuilder;
import dev.hotpatch.packager.image.PeImageBuilder;
import dev.hotpatch.packager.image.RuntimeFunctionTable;
import dev.hotpatch.packager.image.SectionFlags;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a patch plan into a patch image (docs/format.md): the carried functions' code in .text with every
 * reference inside the patch resolved and every reference into the base left zero with a fixup record, the
 * read-only data and new globals they need in .rdata and .data, an import directory (and import thunks) for
 * functions the base does not import, the load config pointing at the .hpatch tables, and base relocations.
 * Same inputs, same bytes.
 *
 * <p>Unwind data: the carried functions' .pdata entries and unwind records ({@link UnwindTables}).
 *
 * <p>Addresses stored in carried data (string tables, function tables, vtables, new globals that hold pointers)
 * lead into the patch as relocated addresses or into the base through data fixups.
 *
 * <p>When the base uses Control Flow Guard, the patch's load config lists every code entry of the patch as a
 * valid indirect-call target.
 *
 * <p>A base function shorter than the 5-byte jump (with 5 bytes of padding before it, as the classifier requires)
 * gets the hot-patch hop (HOP flag, site at entry - 5).
 *
 * <p>Not yet: MSVC switch tables of image-relative offsets (refused with a message).
 */
public final class PatchWriter {
    private static final int CODE_ALIGN = 16;
    /** Ranges closer than this in the new image keep their distance in the patch (short branches between them). */
    private static final int KEEP_DISTANCE = 256;

    /** The patch's place in a series. */
    /**
     * The header's sequence numbers and flags (docs/format.md 2.1).
     *
     * @param cumulative  the patch carries every change of the patches it replaces (an engine replaces an applied
     *                    patch only with a cumulative one)
     * @param obligatory  the patch fixes something that must not stay unpatched: an engine that cannot apply it
     *                    reports an error, not a warning
     */
    public record Options(long sequence, long minSequence, boolean canRollBack, boolean cumulative, boolean obligatory) {
        public Options(long sequence, long minSequence, boolean canRollBack) {
            this(sequence, minSequence, canRollBack, false, false);
        }

        public static Options first() {
            return new Options(1, 0, true);
        }

        /**
         * Whether the patch supersedes earlier ones (some sequence number in [minSequence, sequence)); it is then
         * CUMULATIVE (docs/format.md 7.2): every patch is made from the unpatched base to a newer build, so it
         * carries every change of the builds before it.
         */
        public boolean supersedes() {
            return sequence > 1 && minSequence < sequence;
        }

        int flags() {
            return (canRollBack ? HotPatchHeader.CAN_ROLL_BACK : 0)
                    | (cumulative || supersedes() ? HotPatchHeader.CUMULATIVE : 0)
                    | (obligatory ? HotPatchHeader.OBLIGATORY : 0);
        }
    }

    private final PeImage base;
    private final ImageCode newCode;
    private final ImageCode baseCode;
    private final PatchPlan plan;
    private final Machine machine;
    private final PeImageBuilder image;
    /** Every carried range: new start -> {new end, place in the patch (a .text offset, then an RVA)}. */
    private final TreeMap<Long, long[]> placed = new TreeMap<>();
    private final TreeMap<Long, Long> literalPlace = new TreeMap<>();          // carried(rva, length) -> patch rva
    /** Every new global the patch carries: new rva -> {size, place in the patch (a .data offset, then an RVA)}. */
    private final TreeMap<Long, long[]> globals = new TreeMap<>();
    private final Map<String, Long> thunkPlace = new TreeMap<>();          // import -> patch rva of its thunk
    private final Map<Long, JumpTable> jumpTables = new TreeMap<>();       // carried(rva, 0) -> its case targets

    private static final int TABLE_ABSOLUTE = 0;
    private static final int TABLE_RELATIVE = 1;
    private static final int TABLE_RVA = 2;

    /** A switch table of the new image: how its 32-bit entries are read, and the case targets (new RVAs). */
    private record JumpTable(int form, long[] targets) {}
    private ImportDirectory imports;
    private final UnwindTables unwind;

    private PatchWriter(PeImage base, PeImage newImage, PatchPlan plan) {
        this.base = base;
        this.newCode = new ImageCode(newImage);
        this.baseCode = new ImageCode(base);
        this.plan = plan;
        this.machine = newImage.machine();
        long end = base.imageBase() + base.optionalHeader().sizeOfImage();
        this.image = new PeImageBuilder(machine).imageBase((end + 0xFFFF) & ~0xFFFFL);
        this.unwind = new UnwindTables(plan, machine);
    }

    /**
     * Writes the patch image's bytes. The image builders and the tables writer refuse what breaks a rule of PE
     * images or of the patch format with an IllegalArgumentException naming it; from builds that are malformed
     * or unusual that becomes a refusal with that sentence, never an internal error.
     */
    public static byte[] write(PeImage base, PeImage newImage, PatchPlan plan, Options options, Path baseFile)
            throws PatchRefusedException {
        try {
            return new PatchWriter(base, newImage, plan).run(options, baseFile.getFileName().toString());
        } catch (IllegalArgumentException e) {
            throw new PatchRefusedException("a patch for these builds cannot be written: " + e.getMessage()
                    + "; the builds are malformed or hold something a patch image cannot carry.");
        }
    }

    private byte[] run(Options options, String baseName) throws PatchRefusedException {
        refuseWhatIsNotSupported();
        // Lay out .text: every range of every function, then one thunk per import called through a thunk.
        long textSize = layOutRanges();
        ImportDirectoryBuilder importBuilder = new ImportDirectoryBuilder(machine);
        Set<String> thunked = new TreeSet<>();
        for (PlannedFunction f : plan.functions()) {
            for (Fixup x : f.fixups()) {
                if (x.target() instanceof Target.NewImport ni) {
                    try {
                        importBuilder.add(ni.dll(), ni.function());
                    } catch (IllegalArgumentException e) {
                        throw new PatchRefusedException("function `" + f.name() + "` calls a new import the patch's"
                                + " import table cannot name (" + e.getMessage() + "); the new build's imports are"
                                + " malformed.");
                    }
                    if (ni.throughThunk()) {
                        thunked.add(ni.name());
                    }
                }
            }
        }
        for (String t : thunked) {
            textSize = LittleEndian.alignUp(textSize, CODE_ALIGN);
            thunkPlace.put(t, textSize);
            textSize += thunkSize();
        }
        unwind.refuseWhatIsNotSupported(this::patchRvaOfNew);
        textSize = unwind.layoutStubs(textSize, t -> t instanceof Target.PatchFunction || t instanceof Target.NewImport);
        long textRva = image.reserve(".text", Math.max(textSize, 1), SectionFlags.CODE);
        placed.values().forEach(p -> p[1] += textRva);
        thunkPlace.replaceAll((k, v) -> v + textRva);

        // .rdata: carried literals, the import directory, the load config.
        // What code and carried data refer to: literals and switch tables (.rdata), new globals (.data).
        List<Target> dataTargets = new ArrayList<>();
        plan.functions().forEach(f -> f.fixups().forEach(x -> dataTargets.add(x.target())));
        plan.dataPointers().values().forEach(p -> dataTargets.add(p.target()));
        long rdataSize = 0;
        for (Target t : dataTargets) {
            if (t instanceof Target.PatchData d && !literalPlace.containsKey(carried(d.newRva(), d.length()))) {
                long key = carried(d.newRva(), d.length());
                rdataSize = LittleEndian.alignUp(rdataSize, 16);
                literalPlace.put(key, rdataSize);
                rdataSize += d.jumpTable() ? 4L * jumpTables.get(key).targets().length : Math.max(d.length(), 1);
            }
        }
        rdataSize = unwind.layoutRecords(rdataSize);     // before the import directory: .rdata is copied up to it
        long importOffset = -1;
        if (!importBuilder.isEmpty()) {
            rdataSize = LittleEndian.alignUp(rdataSize, importBuilder.alignment());
            importOffset = rdataSize;
            rdataSize += importBuilder.size();
        }
        LoadConfigBuilder loadConfig = new LoadConfigBuilder(machine);
        if (baseUsesCfg()) {
            // Every code entry of the patch may be reached indirectly (a new function whose address is taken, a
            // handler stub): list them all as valid call targets.
            List<Long> targets = new ArrayList<>();
            for (PlannedFunction f : plan.functions()) {
                targets.add(placeOf(f.newRanges().get(0)[0]));
            }
            targets.addAll(thunkPlace.values());
            targets.addAll(unwind.stubRvas());
            loadConfig.guardCfFunctions(targets);
        }
        rdataSize = LittleEndian.alignUp(rdataSize, loadConfig.alignment());
        long loadConfigOffset = rdataSize;
        rdataSize += loadConfig.size();
        long rdataRva = image.reserve(".rdata", rdataSize, SectionFlags.READ_ONLY_DATA);
        literalPlace.replaceAll((k, v) -> v + rdataRva);
        unwind.rebase(textRva, rdataRva);

        // .data: new globals with their initial bytes.
        long dataSize = 0;
        for (Target t : dataTargets) {
            if (t instanceof Target.NewGlobal g && !globals.containsKey(g.newRva())) {
                dataSize = LittleEndian.alignUp(dataSize, 16);
                globals.put(g.newRva(), new long[] {g.size(), dataSize});
                dataSize += Math.max(g.size(), 1);
            }
        }
        long dataRva = dataSize > 0 ? image.reserve(".data", dataSize, SectionFlags.READ_WRITE_DATA) : 0;
        globals.values().forEach(g -> g[1] += dataRva);
        long pdataRva = unwind.isEmpty() ? 0 : image.reserve(".pdata", unwind.tableSize(), SectionFlags.READ_ONLY_DATA);

        // Contents: code with internal references resolved, data copies, imports.
        if (importOffset >= 0) {
            imports = importBuilder.writeTo(image, rdataRva + importOffset);
        }
        byte[] text = new byte[(int) Math.max(textSize, 1)];
        byte[] rdata = new byte[(int) rdataSize];
        Map<Integer, List<FixupRecord>> stubFixups = new TreeMap<>();
        RuntimeFunctionTable functionTable = unwind.write(text, textRva, rdata, rdataRva, this::patchRvaOfNew,
                this::insideTarget, stubFixups);
        List<FunctionRecord> records = new ArrayList<>();
        for (int i = 0; i < plan.functions().size(); i++) {
            records.add(placeFunction(i, text, textRva, stubFixups.getOrDefault(i, List.of())));
        }
        for (String t : thunked) {
            writeThunk(text, (int) (thunkPlace.get(t) - textRva), thunkPlace.get(t), t);
        }
        image.fill(".text", text);
        if (!unwind.isEmpty()) {
            functionTable.writeTo(image, pdataRva);
        }
        for (Map.Entry<Long, Long> e : literalPlace.entrySet()) {
            if (!jumpTables.containsKey(e.getKey())) {
                newCode.read(e.getKey() >>> 16, (int) (e.getKey() & 0xFFFF), rdata, (int) (e.getValue() - rdataRva));
            }
        }
        List<long[]> absoluteEntries = new ArrayList<>();
        for (Map.Entry<Long, JumpTable> e : jumpTables.entrySet()) {
            long tableRva = literalPlace.get(e.getKey());
            JumpTable table = e.getValue();
            for (int i = 0; i < table.targets().length; i++) {
                long target = patchRvaOfNew(table.targets()[i]);
                if (table.form() == TABLE_ABSOLUTE) {
                    absoluteEntries.add(new long[] {tableRva + 4L * i, target});
                } else {
                    LittleEndian.putInt(rdata, (int) (tableRva - rdataRva) + 4 * i, (int) (target - tableRva));
                }
            }
        }
        image.write(rdataRva, java.util.Arrays.copyOf(rdata, (int) (importOffset >= 0 ? importOffset : loadConfigOffset)));
        for (long[] entry : absoluteEntries) {
            image.writeAddress(entry[0], entry[1]);
        }
        if (dataSize > 0) {
            byte[] data = new byte[(int) dataSize];
            for (Map.Entry<Long, long[]> e : globals.entrySet()) {
                newCode.read(e.getKey(), (int) e.getValue()[0], data, (int) (e.getValue()[1] - dataRva));
            }
            image.fill(".data", data);
        }
        List<FixupRecord> dataFixups = writeDataPointers();

        // The hot-patch tables, then the load config that points at them.
        HotPatchTables tables = new HotPatchTables(
                new HotPatchHeader(options.sequence(), options.minSequence(),
                        HotPatchHeader.machineFlag(base.machine().code()) | options.flags()),
                new HotPatchBase(base.fileHeader().timeDateStamp(), base.optionalHeader().checkSum(),
                        base.optionalHeader().sizeOfImage(), base.machine().code(), CanonicalBaseHash.sha256(base), baseName),
                records, dataFixups);
        byte[] hpatch = HotPatchTablesWriter.write(tables);
        long hpatchRva = image.reserve(".hpatch", hpatch.length, SectionFlags.READ_ONLY_DATA);
        image.fill(".hpatch", hpatch);
        loadConfig.hotPatchTable(hpatchRva);
        loadConfig.writeTo(image, rdataRva + loadConfigOffset);
        return image.build();
    }

    /** Whether the base is built with Control Flow Guard (its load config says CF_INSTRUMENTED). */
    private boolean baseUsesCfg() {
        return base.loadConfig().map(lc -> lc.guardFlags().orElse(0) & dev.hotpatch.pe.LoadConfig.GUARD_CF_INSTRUMENTED)
                .orElse(0L) != 0;
    }

    /**
     * Places every carried range in .text, in new-image order: a range that follows the previous one closely (less
     * than {@value #KEEP_DISTANCE} bytes apart) keeps its distance from it, so that short branches between them
     * (a function and its companion) still reach; any other starts at the next 16-byte boundary plus its address
     * modulo 16, so alignment within a cache line is kept. Returns the .text size.
     */
    private long layOutRanges() {
        TreeMap<Long, Long> ends = new TreeMap<>();
        for (PlannedFunction f : plan.functions()) {
            for (long[] r : f.newRanges()) {
                ends.put(r[0], r[1]);
            }
        }
        long size = 0;
        long prevStart = -1;
        long prevEnd = -1;
        for (Map.Entry<Long, Long> r : ends.entrySet()) {
            long place;
            if (prevStart >= 0 && r.getKey() >= prevEnd && r.getKey() - prevEnd < KEEP_DISTANCE) {
                place = placed.get(prevStart)[1] + (r.getKey() - prevStart);
            } else {
                place = LittleEndian.alignUp(size, CODE_ALIGN) + (r.getKey() & (CODE_ALIGN - 1));
            }
            placed.put(r.getKey(), new long[] {r.getValue(), place});
            size = place + (r.getValue() - r.getKey());
            prevStart = r.getKey();
            prevEnd = r.getValue();
        }
        return size;
    }

    private void refuseWhatIsNotSupported() throws PatchRefusedException {
        refuseUnplaceablePointers();
        for (PlannedFunction f : plan.functions()) {
            for (Fixup x : f.fixups()) {
                Target t = x.target();
                String where = "function `" + f.name() + "` refers to " + t.describe();
                if (t instanceof Target.Unresolved u) {
                    throw new PatchRefusedException(where + "; that cannot be placed in a patch.");
                }
                if (t instanceof Target.PatchData d && d.jumpTable() && jumpTable(f, d).form() == TABLE_RVA) {
                    throw new PatchRefusedException(where + ", a switch table of image-relative offsets, which this "
                            + "version of the patch writer does not rebuild yet; ship the new build instead.");
                }
                if (x.fieldKind() == Step.FIELD_RVA32) {
                    throw new PatchRefusedException(where + " through an image-relative table offset, which this version "
                            + "of the patch writer does not rebuild yet; ship the new build instead.");
                }
            }
        }
    }

    /**
     * The switch table at {@code table} for a function: consecutive 32-bit entries that lead into it, read as
     * absolute addresses (32-bit images), offsets from the table (gcc, LLVM) or RVAs (MSVC), whichever reads
     * the longest run (at least two entries).
     */
    /** The switch table a function refers to, read once (its form and case targets) and kept for the layout. */
    private JumpTable jumpTable(PlannedFunction f, Target.PatchData d) throws PatchRefusedException {
        long key = carried(d.newRva(), d.length());
        JumpTable known = jumpTables.get(key);
        if (known == null) {
            known = readTable(f, d.newRva());
            jumpTables.put(key, known);
        }
        return known;
    }

    private JumpTable readTable(PlannedFunction f, long table) throws PatchRefusedException {
        int max = 4096;
        byte[] raw = new byte[4 * max];
        newCode.read(table, raw.length, raw, 0);
        int best = 0;
        int bestForm = -1;
        for (int form = 0; form < 3; form++) {
            if (form == TABLE_ABSOLUTE && newCode.is64()) {
                continue;
            }
            int n = 0;
            while (n < max && inside(f, entryTarget(form, table, raw, n))) {
                n++;
            }
            if (n > best) {
                best = n;
                bestForm = form;
            }
        }
        if (best < 2) {
            throw new PatchRefusedException("function `" + f.name() + "` uses a jump table the patch writer cannot read.");
        }
        long[] targets = new long[best];
        for (int i = 0; i < best; i++) {
            targets[i] = entryTarget(bestForm, table, raw, i);
        }
        return new JumpTable(bestForm, targets);
    }

    private long entryTarget(int form, long table, byte[] raw, int i) {
        long e = (raw[4 * i] & 0xff) | (raw[4 * i + 1] & 0xff) << 8 | (raw[4 * i + 2] & 0xff) << 16 | (long) raw[4 * i + 3] << 24;
        return switch (form) {
            case TABLE_ABSOLUTE -> newCode.rvaOfAddress(e & 0xffffffffL);
            case TABLE_RELATIVE -> table + e;
            default -> e & 0xffffffffL;
        };
    }

    private static boolean inside(PlannedFunction f, long rva) {
        for (long[] r : f.newRanges()) {
            if (rva >= r[0] && rva < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Refuses data the patch carries whose pointers cannot be placed. */
    private void refuseUnplaceablePointers() throws PatchRefusedException {
        for (DataPointer p : plan.dataPointers().values()) {
            String where = String.format("data the patch carries (new rva 0x%x) holds a pointer to ", p.slotRva());
            if (p.target() instanceof Target.Unresolved u) {
                throw new PatchRefusedException(where + u.why() + ", which cannot be placed in a patch; ship the new "
                        + "build instead.");
            }
            if (p.target() instanceof Target.PatchData d && d.jumpTable() || p.width() != image.pointerSize()) {
                throw new PatchRefusedException(where + p.target().describe() + " that the patch writer cannot "
                        + "rebuild; ship the new build instead.");
            }
        }
    }

    /**
     * Writes the addresses stored in carried literals and new globals: those that lead into the patch as
     * relocated addresses, those that lead into the base as zeros with a data fixup the engine fills.
     */
    private List<FixupRecord> writeDataPointers() throws PatchRefusedException {
        List<FixupRecord> out = new ArrayList<>();
        for (DataPointer p : plan.dataPointers().values()) {
            Long inside = insideTarget(p.target());
            for (long slot : patchPlacesOf(p.slotRva(), p.width())) {
                if (inside != null) {
                    image.writeAddress(slot, inside);
                } else {
                    image.write(slot, new byte[p.width()]);
                    out.add(FixupRecord.simple(slot, p.width() == 8 ? FixupKind.X64_ABS64 : FixupKind.X86_ABS32,
                            baseTarget(p.target(), "data the patch carries"), 0, p.target().describe()));
                }
            }
        }
        out.sort(FixupRecord.TABLE_ORDER);
        return out;
    }

    /** Where a pointer slot of the new image lands in the patch: in every carried copy that holds it whole. */
    private List<Long> patchPlacesOf(long slotRva, int width) {
        List<Long> out = new ArrayList<>();
        // Literals are keyed by rva << 16 | length (at most 64 KB): those that may hold the slot start at most
        // 0xFFFF bytes before it.
        long from = carried(Math.max(0, slotRva - 0xFFFF), 0);
        for (Map.Entry<Long, Long> e : literalPlace.subMap(from, true, carried(slotRva, 0xFFFF), true).entrySet()) {
            long rva = e.getKey() >>> 16;
            long length = e.getKey() & 0xFFFF;
            if (!jumpTables.containsKey(e.getKey()) && slotRva >= rva && slotRva + width <= rva + length) {
                out.add(e.getValue() + (slotRva - rva));
            }
        }
        Map.Entry<Long, long[]> g = globals.floorEntry(slotRva);
        if (g != null && slotRva + width <= g.getKey() + g.getValue()[0]) {
            out.add(g.getValue()[1] + (slotRva - g.getKey()));
        }
        return out;
    }

    private FunctionRecord placeFunction(int index, byte[] text, long textRva, List<FixupRecord> stubFixups)
            throws PatchRefusedException {
        PlannedFunction f = plan.functions().get(index);
        List<FixupRecord> fixups = new ArrayList<>(stubFixups);
        for (long[] r : f.newRanges()) {
            long at = placeOf(r[0]);
            newCode.read(r[0], (int) (r[1] - r[0]), text, (int) (at - textRva));
        }
        for (Fixup x : f.fixups()) {
            long instruction = placeOf(f.newRanges().get(x.range())[0]) + x.instructionOffset();
            Long inside = insideTarget(x.target());
            if (inside != null) {
                encode(text, textRva, instruction, x, inside, f.name());
            } else {
                fixups.add(baseFixup(text, textRva, instruction, x, f.name()));
            }
        }
        long patchRva = placeOf(f.newRanges().get(0)[0]);
        long size = f.newRanges().get(0)[1] - f.newRanges().get(0)[0];
        if (size < 1) {
            throw new PatchRefusedException("function `" + f.name() + "` has no code at its entry in the new build"
                    + " (an empty first range); the new build's function table is malformed.");
        }
        if (f.baseRva() < 0) {
            return FunctionRecord.added(patchRva, size, fixups, f.name());
        }
        if (f.hop()) {
            byte[] original = new byte[FunctionRecord.SITE_SIZE_HOP];
            baseCode.read(f.baseRva() - FunctionRecord.HOP_PADDING, original.length, original, 0);
            return FunctionRecord.redirectedHop(f.baseRva(), patchRva, size, original, fixups, f.name());
        }
        int site = machine == Machine.ARM64 ? FunctionRecord.SITE_SIZE_ARM64 : FunctionRecord.SITE_SIZE_JUMP;
        byte[] original = new byte[site];
        baseCode.read(f.baseRva(), site, original, 0);
        return FunctionRecord.redirectedJump(f.baseRva(), patchRva, size, original, fixups, f.name());
    }

    /** Where a carried range starting at {@code newStart} is placed. */
    private long placeOf(long newStart) {
        return placed.get(newStart)[1];
    }

    /** The place in the patch of a new-image address inside a carried function, or -1. */
    private long patchRvaOfNew(long rva) {
        Map.Entry<Long, long[]> r = placed.floorEntry(rva);
        return r != null && rva < r.getValue()[0] ? r.getValue()[1] + (rva - r.getKey()) : -1;
    }

    /** The patch RVA a target has inside the patch image, or null when it lies in the base. */
    private Long insideTarget(Target t) {
        if (t instanceof Target.PatchFunction p) {
            PlannedFunction to = plan.functions().get(p.function());
            return placeOf(to.newRanges().get(p.range())[0]) + p.offset();
        }
        if (t instanceof Target.PatchData d) {
            return literalPlace.get(carried(d.newRva(), d.length())) + d.offset();
        }
        if (t instanceof Target.NewGlobal g) {
            return globals.get(g.newRva())[1] + g.offset();
        }
        if (t instanceof Target.NewImport ni) {
            return ni.throughThunk() ? thunkPlace.get(ni.name()) : imports.iatSlot(ni.dll(), ni.function());
        }
        return null;
    }

    /** Writes a reference whose target is inside the patch: relative forms directly, absolute ones with a relocation. */
    private void encode(byte[] text, long textRva, long instruction, Fixup x, long target, String name)
            throws PatchRefusedException {
        int at = (int) (instruction - textRva);
        int field = at + x.fieldOffset();
        switch (x.fieldKind()) {
            case Step.FIELD_REL32 -> LittleEndian.putInt(text, field, (int) (target - (instruction + x.fieldOffset() + 4 + x.extra())));
            case Step.FIELD_REL8 -> {
                long delta = target - (instruction + x.fieldOffset() + 1 + x.extra());
                if (delta < -128 || delta > 127) {
                    throw new PatchRefusedException("function `" + name + "` has a short jump that cannot reach its target in the patch.");
                }
                text[field] = (byte) delta;
            }
            case Step.FIELD_ABS32, Step.FIELD_ABS64 -> image.writeAddress(instruction + x.fieldOffset(), target);
            case Step.FIELD_BRANCH26 -> LittleEndian.putInt(text, at, Arm64Fields.branch26(LittleEndian.getInt(text, at), target - instruction));
            case Step.FIELD_BRANCH19, Step.FIELD_LITERAL19 -> LittleEndian.putInt(text, at, Arm64Fields.imm19(LittleEndian.getInt(text, at), target - instruction));
            case Step.FIELD_BRANCH14 -> LittleEndian.putInt(text, at, Arm64Fields.imm14(LittleEndian.getInt(text, at), target - instruction));
            case Step.FIELD_ADR21 -> LittleEndian.putInt(text, at, Arm64Fields.adr(LittleEndian.getInt(text, at), target - instruction));
            case Step.FIELD_ADRP_ADD, Step.FIELD_ADRP_LDST -> {
                long adrp = instruction + x.fieldOffset();
                int adrpAt = (int) (adrp - textRva);
                LittleEndian.putInt(text, adrpAt, Arm64Fields.adrp(LittleEndian.getInt(text, adrpAt), adrp, target));
                int shift = x.fieldKind() == Step.FIELD_ADRP_LDST ? x.extra() : 0;
                LittleEndian.putInt(text, at, Arm64Fields.lo12(LittleEndian.getInt(text, at), target, shift));
            }
            default -> throw new PatchRefusedException("function `" + name + "` has a reference of a kind the patch writer cannot encode.");
        }
    }

    /** A reference into the base: its field is cleared and the engine fills it from the fixup record. */
    private FixupRecord baseFixup(byte[] text, long textRva, long instruction, Fixup x, String name)
            throws PatchRefusedException {
        long target = baseTarget(x.target(), "function `" + name + "`");
        int at = (int) (instruction - textRva);
        long site = instruction + x.fieldOffset();
        String what = x.target().describe();
        return switch (x.fieldKind()) {
            case Step.FIELD_REL32 -> {
                LittleEndian.putInt(text, at + x.fieldOffset(), 0);
                yield FixupRecord.rel32(site, x.extra(), target, 0, what);
            }
            case Step.FIELD_ABS32 -> {
                LittleEndian.putInt(text, at + x.fieldOffset(), 0);
                yield FixupRecord.simple(site, FixupKind.X86_ABS32, target, 0, what);
            }
            case Step.FIELD_ABS64 -> {
                LittleEndian.putInt(text, at + x.fieldOffset(), 0);
                LittleEndian.putInt(text, at + x.fieldOffset() + 4, 0);
                yield FixupRecord.simple(site, FixupKind.X64_ABS64, target, 0, what);
            }
            case Step.FIELD_BRANCH26 -> {
                LittleEndian.putInt(text, at, Arm64Fields.branch26(LittleEndian.getInt(text, at), 0));
                yield FixupRecord.simple(instruction, FixupKind.ARM64_BRANCH26, target, 0, what);
            }
            case Step.FIELD_ADRP_ADD, Step.FIELD_ADRP_LDST -> {
                LittleEndian.putInt(text, at + x.fieldOffset(), Arm64Fields.adr(LittleEndian.getInt(text, at + x.fieldOffset()), 0));
                LittleEndian.putInt(text, at, Arm64Fields.lo12(LittleEndian.getInt(text, at), 0, 0));
                yield x.fieldKind() == Step.FIELD_ADRP_ADD
                        ? FixupRecord.adrpAdd(site, -x.fieldOffset(), target, 0, what)
                        : FixupRecord.adrpLdst(site, -x.fieldOffset(), x.extra(), target, 0, what);
            }
            default -> throw new PatchRefusedException("function `" + name + "` reaches " + what
                    + " with a short branch or literal load that cannot reach the base from a patch.");
        };
    }

    /** The base RVA a target names, for a fixup. */
    private static long baseTarget(Target t, String who) throws PatchRefusedException {
        if (t instanceof Target.BaseFunction b) {
            return b.rva();
        } else if (t instanceof Target.BaseGlobal b) {
            return b.rva();
        } else if (t instanceof Target.BaseImport b) {
            return b.iatRva();
        } else if (t instanceof Target.BaseImportThunk b) {
            return b.rva();
        } else if (t instanceof Target.BaseAddress b) {
            return b.rva();
        }
        throw new PatchRefusedException(who + " refers to " + t.describe() + ", which has no place in the base.");
    }

    private int thunkSize() {
        return Jumps.indirectSize(machine);
    }

    /** jmp [IAT slot]: x64 FF 25 rel32, x86 FF 25 abs32 (relocated), ARM64 adrp x16; ldr x16, [x16]; br x16. */
    private void writeThunk(byte[] text, int at, long rva, String name) {
        long slot = imports.iatSlot(name.substring(0, name.indexOf('!')), name.substring(name.indexOf('!') + 1));
        Jumps.indirect(machine, ByteBuffer.wrap(text), at, rva, slot);
        if (machine == Machine.I386) {
            image.writeAddress(rva + 2, slot);
        }
    }

    /** The key of a carried piece of read-only data: its new RVA and length (literals are at most 4 KB). */
    private static long carried(long rva, int length) {
        return rva << 16 | length;
    }
}
