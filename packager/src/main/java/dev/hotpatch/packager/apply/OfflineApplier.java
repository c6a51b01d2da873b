package dev.hotpatch.packager.apply;

import dev.hotpatch.packager.format.Arm64Fields;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.Jumps;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.verify.PatchCheck;
import dev.hotpatch.packager.verify.PatchProblem;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.packager.image.BaseRelocationTable;
import dev.hotpatch.packager.image.LoadConfigBuilder;
import dev.hotpatch.pe.Arm64XData;
import dev.hotpatch.pe.LoadConfig;
import dev.hotpatch.pe.LoadableLayout;
import dev.hotpatch.pe.Limits;
import dev.hotpatch.pe.RuntimeFunction;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.UnwindForm;
import dev.hotpatch.pe.X64UnwindInfo;
import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.BaseRelocations;
import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reference implementation of the engine's steps (docs/format.md), offline: it writes a runnable image that
 * is the base with the patch applied. The patch's sections are appended after the base's (so every patch RVA
 * moves by one delta), the patch's own relocations are rebased and merged with the base's into a new relocation
 * section, its import descriptors join the base's in a new import directory (the base's IAT slots stay where
 * they are), every fixup is filled with the base's address, and a jump is written at each replaced function's
 * entry. It refuses a patch made for another base.
 *
 * The patch's function table (.pdata) joins the base's in the same new section, so exceptions and stack walks
 * pass through patched code.
 *
 * <p>Not yet: rollback.
 */
public final class OfflineApplier {
    private static final int SECTION_HEADER = 40;

    private OfflineApplier() {}

    /** Reads the base and the patch (each once), applies, and writes the patched image to {@code out} atomically. */
    public static void apply(Path basePath, Path patchPath, Path out)
            throws IOException, PeFormatException, PatchFormatException, ApplyException {
        byte[] baseBytes = Files.readAllBytes(basePath);
        PeImage base = PeReader.read(baseBytes, basePath.getFileName().toString());
        AtomicFile.write(out, apply(base, baseBytes, Files.readAllBytes(patchPath)));
    }

    /**
     * The engine's steps on bytes already read (the ones a caller verified): returns the patched image.
     *
     * @param base      the base as parsed from {@code baseBytes}
     */
    public static byte[] apply(PeImage base, byte[] baseBytes, byte[] patchBytes)
            throws PeFormatException, PatchFormatException, ApplyException {
        return new Run(base, baseBytes, PeReader.read(patchBytes, "patch")).apply();
    }

    /** The patch cannot be applied to this base; the message says why. */
    public static final class ApplyException extends Exception {
        private static final long serialVersionUID = 1L;

        public ApplyException(String message) {
            super(message);
        }
    }

    private static final class Run {
        final PeImage base;
        final PeImage patch;
        final HotPatchTables tables;
        final boolean pe32Plus;
        final long delta;
        ByteBuffer file;
        int fileEnd;
        final List<byte[]> newHeaders = new ArrayList<>();

        Run(PeImage base, byte[] baseBytes, PeImage patch) throws PatchFormatException, ApplyException {
            this.base = base;
            this.patch = patch;
            try {
                LoadableLayout.check(base);
            } catch (PeFormatException e) {
                throw new ApplyException("the base is not an image the Windows loader maps: " + e.getMessage() + ".");
            }
            if (patch.sections().isEmpty()) {
                throw new ApplyException("the patch has no hot-patch table (it has no sections).");
            }
            long end = alignUp(base.optionalHeader().sizeOfImage(), base.optionalHeader().sectionAlignment());
            this.delta = end - patch.sections().stream().mapToLong(Section::rva).min().orElseThrow();
            // Every structural rule, reach checked where this applier puts the patch: a caller that skipped the
            // signature still gets only patches that keep the format.
            PatchImageTables.Checked checked = PatchImageTables.readChecked(patch, delta).orElseThrow(
                    () -> new ApplyException("the patch has no hot-patch table (its load config names none)."));
            if (!checked.broken().isEmpty()) {
                throw checked.broken().get(0);
            }
            List<PatchFormatException> sites = PatchImageTables.checkBase(checked, base);
            if (!sites.isEmpty()) {
                throw sites.get(0);
            }
            this.tables = checked.tables();
            checkIdentity(base);
            this.pe32Plus = base.is64Bit();
            int room = (int) Math.max(0, alignUp(baseBytes.length, base.optionalHeader().fileAlignment()) - baseBytes.length);
            this.file = ByteBuffer.wrap(Arrays.copyOf(baseBytes, baseBytes.length + room)).order(ByteOrder.LITTLE_ENDIAN);
            this.fileEnd = baseBytes.length + room;
        }

        void checkIdentity(PeImage b) throws ApplyException {
            Optional<PatchProblem> wrong = PatchCheck.identity(tables.base(), b);
            if (wrong.isPresent()) {
                throw new ApplyException(wrong.get().message());
            }
        }

        byte[] apply() throws ApplyException, PeFormatException, PatchFormatException {
            // 1. The patch's sections, moved by delta.
            long patchBase = patch.imageBase();
            long baseImageBase = base.imageBase();
            List<Long> extraRelocs = new ArrayList<>();
            byte[][] content = new byte[patch.sections().size()][];
            for (int i = 0; i < patch.sections().size(); i++) {
                Section s = patch.sections().get(i);
                content[i] = patch.readVirtual(s.rva(), (int) s.extent());   // SizeOfImage bounds it (rule 13)
            }
            // Rebase the patch's own absolute addresses and keep their relocations.
            BaseRelocations relocs = patch.relocations();
            for (int r = 0; r < relocs.count(); r++) {
                BaseRelocationType t = relocs.type(r);
                if (t != BaseRelocationType.DIR64 && t != BaseRelocationType.HIGHLOW) {
                    continue;
                }
                long site = relocs.rva(r);
                Slot slot = slot(content, site, t == BaseRelocationType.DIR64 ? 8 : 4, "base_relocation[" + r + "]",
                        "offset");
                ByteBuffer b = slot.bytes();
                int at = slot.at();
                if (t == BaseRelocationType.DIR64) {
                    b.putLong(at, b.getLong(at) - patchBase + delta + baseImageBase);
                } else {
                    b.putInt(at, (int) (b.getInt(at) - patchBase + delta + baseImageBase));
                }
                extraRelocs.add(site + delta);
            }
            // The patch's import descriptors: their RVAs (and those in its lookup tables) move by delta.
            List<byte[]> patchDescriptors = new ArrayList<>();
            Optional<DataDirectory> importDirectory = patch.directory(DirectoryKind.IMPORT).filter(DataDirectory::isPresent);
            if (importDirectory.isPresent()) {
                for (long at = importDirectory.get().address(); ; at += 20) {
                    int k = patchDescriptors.size();
                    if (k >= Limits.MAX_IMPORT_MODULES) {
                        throw new PatchFormatException("import_descriptor[" + k + "]", "rva_import_lookup_table", -1,
                                "at most " + Limits.MAX_IMPORT_MODULES + " import descriptors before the null one",
                                "more");
                    }
                    Slot slot = slot(content, at, 20, "import_descriptor[" + k + "]", "rva_import_lookup_table");
                    ByteBuffer b = slot.bytes();
                    int o = slot.at();
                    if (b.getInt(o) == 0 && b.getInt(o + 12) == 0) {
                        break;
                    }
                    long ilt = b.getInt(o) & 0xffffffffL;
                    long iat = b.getInt(o + 16) & 0xffffffffL;
                    shiftThunks(content, ilt, "import_descriptor[" + k + "]", "rva_import_lookup_table");
                    shiftThunks(content, iat, "import_descriptor[" + k + "]", "rva_import_address_table");
                    byte[] desc = new byte[20];
                    ByteBuffer dd = ByteBuffer.wrap(desc).order(ByteOrder.LITTLE_ENDIAN);
                    dd.putInt(0, (int) (ilt + delta));
                    dd.putInt(12, (int) ((b.getInt(o + 12) & 0xffffffffL) + delta));
                    dd.putInt(16, (int) (iat + delta));
                    patchDescriptors.add(desc);
                }
            }
            // 2. Fixups: fill each reference into the base with the base's address.
            for (FunctionRecord f : tables.functions()) {
                for (FixupRecord x : f.fixups()) {
                    fix(content, x, baseImageBase, extraRelocs);
                }
            }
            for (FixupRecord x : tables.dataFixups()) {
                fix(content, x, baseImageBase, extraRelocs);
            }
            for (int i = 0; i < content.length; i++) {
                Section s = patch.sections().get(i);
                if (s.name().equals(".reloc") || s.name().equals(".hpatch") || s.name().equals(".pdata")) {
                    continue;   // merged below / not needed once applied: fewer section headers
                }
                String name = ".h" + s.name().replace(".", "");     // .text -> .htext
                addSection(name.substring(0, Math.min(8, name.length())), s.rva() + delta, content[i], s.characteristics());
            }
            // 3 and 4. One section for the merged import directory, relocations and function table (header room
            // in the base is scarce).
            byte[] functionTable = mergedFunctionTable(content);
            byte[] guardTable = mergedGuardTable();
            ByteArrayOutputStream meta = new ByteArrayOutputStream();
            long importsAt = -1;
            long importsSize = 0;
            if (!patchDescriptors.isEmpty()) {
                importsAt = 0;
                base.directory(DirectoryKind.IMPORT).filter(DataDirectory::isPresent).ifPresent(d -> {
                    // The base's reader bounds its descriptors the same way (Limits.MAX_IMPORT_MODULES).
                    for (long at = d.address(); at < d.address() + 20L * Limits.MAX_IMPORT_MODULES; at += 20) {
                        byte[] desc = base.bytesAt(at, 20).map(bb -> {
                            byte[] x = new byte[20];
                            bb.get(x);
                            return x;
                        }).orElse(new byte[20]);
                        ByteBuffer dd = ByteBuffer.wrap(desc).order(ByteOrder.LITTLE_ENDIAN);
                        if (dd.getInt(0) == 0 && dd.getInt(12) == 0) {
                            break;
                        }
                        meta.writeBytes(desc);
                    }
                });
                patchDescriptors.forEach(meta::writeBytes);
                meta.writeBytes(new byte[20]);
                importsSize = meta.size();
            }
            SortedMap<Long, BaseRelocationType> sites = new TreeMap<>();
            BaseRelocations baseRelocs = base.relocations();
            for (int r = 0; r < baseRelocs.count(); r++) {
                BaseRelocationType t = baseRelocs.type(r);
                if (t != BaseRelocationType.ABSOLUTE) {
                    sites.put(baseRelocs.rva(r), t);
                }
            }
            for (long site : extraRelocs) {
                sites.put(site, pe32Plus ? BaseRelocationType.DIR64 : BaseRelocationType.HIGHLOW);
            }
            long relocsAt = -1;
            byte[] blocks = sites.isEmpty() ? new byte[0] : BaseRelocationTable.encode(sites);
            if (blocks.length > 0) {
                while (meta.size() % 4 != 0) {
                    meta.write(0);
                }
                relocsAt = meta.size();
                meta.writeBytes(blocks);
            }
            long functionsAt = -1;
            if (functionTable.length > 0) {
                while (meta.size() % 4 != 0) {
                    meta.write(0);
                }
                functionsAt = meta.size();
                meta.writeBytes(functionTable);
            }
            long guardAt = -1;
            if (guardTable.length > 0) {
                while (meta.size() % 4 != 0) {
                    meta.write(0);
                }
                guardAt = meta.size();
                meta.writeBytes(guardTable);
            }
            if (meta.size() > 0) {
                long rva = addSection(".hmeta", -1, meta.toByteArray(), Section.CNT_INITIALIZED_DATA | Section.MEM_READ);
                if (guardAt >= 0) {
                    pointGuardTableAt(rva + guardAt, guardTable.length);
                }
                if (functionsAt >= 0) {
                    setDirectory(DirectoryKind.EXCEPTION, rva + functionsAt, functionTable.length);
                }
                if (importsAt >= 0) {
                    setDirectory(DirectoryKind.IMPORT, rva + importsAt, importsSize);
                }
                if (relocsAt >= 0) {
                    setDirectory(DirectoryKind.BASE_RELOCATION, rva + relocsAt, blocks.length);
                }
            }
            // 5. Trampolines at the replaced functions' entries.
            for (FunctionRecord f : tables.functions()) {
                if (f.redirect()) {
                    trampoline(f.siteRva(), f.patchRva() + delta, f.originalBytes(), f.hop());
                }
            }
            return finish();
        }

        /**
         * The base's function table followed by the patch's, moved by delta (the patch's sections come after
         * the base's, so the merged table stays sorted), with the RVAs inside the patch's unwind records (handler,
         * chained function) moved too; empty when the patch has no function table.
         */
        byte[] mergedFunctionTable(byte[][] content) throws PeFormatException, PatchFormatException {
            RuntimeFunctions own = patch.runtimeFunctions();
            if (own.isEmpty() || base.machine() == Machine.I386) {
                return new byte[0];
            }
            boolean x64 = base.machine() == Machine.AMD64;
            byte[] baseTable = base.directory(DirectoryKind.EXCEPTION).filter(DataDirectory::isPresent)
                    .map(d -> base.bytesAt(d.address(), (int) d.size()).map(bb -> {
                        byte[] x = new byte[bb.remaining()];
                        bb.get(x);
                        return x;
                    }).orElse(new byte[0])).orElse(new byte[0]);
            int entry = x64 ? 12 : 8;
            int kept = baseTable.length / entry * entry;
            ByteBuffer out = ByteBuffer.allocate(kept + own.size() * entry).order(ByteOrder.LITTLE_ENDIAN);
            out.put(baseTable, 0, kept);
            Set<Long> moved = new HashSet<>();
            for (int i = 0; i < own.size(); i++) {
                RuntimeFunction f = own.get(i);
                out.putInt((int) (f.beginRva() + delta));
                if (x64) {
                    X64UnwindInfo info = own.x64UnwindInfo(i);
                    out.putInt((int) (f.endRva() + delta)).putInt((int) (info.rva() + delta));
                    if (moved.add(info.rva())) {
                        moveRvas(content, info.rva() + info.trailerOffset(),
                                info.isChained() ? 3 : info.handlerRva() >= 0 ? 1 : 0);
                    }
                } else if (f.form() == UnwindForm.ARM64_PACKED) {
                    out.putInt(own.arm64PackedWord(i));
                } else {
                    Arm64XData x = own.arm64XData(i);
                    out.putInt((int) (x.rva() + delta));
                    if (moved.add(x.rva())) {
                        moveRvas(content, x.rva() + x.trailerOffset(), x.hasHandler() ? 1 : 0);
                    }
                }
            }
            return out.array();
        }

        /** Moves {@code count} consecutive RVAs at a patch RVA by delta (a handler, or a chained function's three). */
        void moveRvas(byte[][] content, long rva, int count) throws PatchFormatException {
            if (count == 0) {
                return;
            }
            Slot slot = slot(content, rva, 4 * count, "unwind_info", "handler_rva");
            ByteBuffer b = slot.bytes();
            int at = slot.at();
            for (int i = 0; i < count; i++) {
                b.putInt(at + 4 * i, (int) ((b.getInt(at + 4 * i) & 0xffffffffL) + delta));
            }
        }

        /**
         * When the base uses Control Flow Guard and the patch lists its code entries: the base's GuardCFFunctionTable
         * (entries of 4 bytes plus the extra metadata bytes GuardFlags announces) followed by the patch's entries
         * moved by delta, so indirect calls into patch code (a new function's address) pass the check; else empty.
         */
        byte[] mergedGuardTable() throws ApplyException {
            var lc = base.loadConfig();
            var patchLc = patch.loadConfig();
            if (lc.isEmpty() || patchLc.isEmpty() || patchLc.get().guardCfFunctions().isEmpty()
                    || (lc.get().guardFlags().orElse(0) & LoadConfig.GUARD_CF_INSTRUMENTED) == 0) {
                return new byte[0];
            }
            int stride = 4 + (int) (lc.get().guardFlags().orElse(0) >>> 28 & 0xF);
            long count = lc.get().guardCfFunctionCount().orElse(0);
            long tableVa = lc.get().guardCfFunctionTable().orElse(0);
            if (count == 0 || tableVa == 0) {
                return new byte[0];    // no table whose (relocated) pointer the merged one could take over
            }
            if (count > Limits.MAX_GUARD_TABLE_ENTRIES) {
                throw new ApplyException("the base's load config lists " + count + " CFG functions, more than "
                        + Limits.MAX_GUARD_TABLE_ENTRIES + "; it is not an image this applier can patch.");
            }
            byte[] own;
            try {
                own = base.readVirtual(tableVa - base.imageBase(), (int) (count * stride));
            } catch (PeFormatException e) {
                throw new ApplyException("the base's CFG function table cannot be read (" + e.getMessage() + ").");
            }
            List<Long> added = patchLc.get().guardCfFunctions();
            ByteBuffer out = ByteBuffer.allocate(own.length + added.size() * stride).order(ByteOrder.LITTLE_ENDIAN);
            out.put(own);
            for (long rva : added) {
                out.putInt((int) (rva + delta));
                out.put(new byte[stride - 4]);
            }
            return out.array();
        }

        /** Points the base's load config at the merged CFG table (its VA field already has a base relocation). */
        void pointGuardTableAt(long rva, int length) throws ApplyException {
            var lc = base.loadConfig().orElseThrow();
            int[] fields = LoadConfigBuilder.guardCfTableFields(base.machine());
            int stride = 4 + (int) (lc.guardFlags().orElse(0) >>> 28 & 0xF);
            long at = lc.fileOffset();
            if (at < 0 || lc.size() < fields[1] + fields[2]) {
                throw new ApplyException("the base's load config is too short to name a merged CFG table.");
            }
            if (pe32Plus) {
                file.putLong((int) (at + fields[0]), base.imageBase() + rva);
            } else {
                file.putInt((int) (at + fields[0]), (int) (base.imageBase() + rva));
            }
            if (fields[2] == 8) {
                file.putLong((int) (at + fields[1]), length / stride);
            } else {
                file.putInt((int) (at + fields[1]), length / stride);
            }
        }

        void shiftThunks(byte[][] content, long tableRva, String structure, String field) throws PatchFormatException {
            int width = pe32Plus ? 8 : 4;
            Slot slot = slot(content, tableRva, width, structure, field);
            ByteBuffer b = slot.bytes();
            for (int o = slot.at(); o + width <= b.capacity(); o += width) {
                long v = pe32Plus ? b.getLong(o) : b.getInt(o) & 0xffffffffL;
                if (v == 0) {
                    break;
                }
                boolean ordinal = pe32Plus ? v < 0 : (v & 0x80000000L) != 0;
                if (!ordinal) {
                    if (pe32Plus) {
                        b.putLong(o, v + delta);
                    } else {
                        b.putInt(o, (int) (v + delta));
                    }
                }
            }
        }

        void fix(byte[][] content, FixupRecord x, long imageBase, List<Long> extraRelocs)
                throws ApplyException, PatchFormatException {
            // The reader's rules put every written byte inside one section; the slots check it again.
            int width = x.kind().isAdrpPair() ? x.pairOffset() + 4 : x.kind().siteWidth(patch.machine().code());
            Slot slot = slot(content, x.siteRva(), width, "fixup " + x.name(), "site_rva");
            ByteBuffer b = slot.bytes();
            int at = slot.at();
            long site = x.siteRva() + delta;
            long target = x.targetRva() + x.addend();
            switch (x.kind()) {
                case REL32 -> {
                    long v = target - (site + 4 + x.tail());
                    if (v != (int) v) {
                        throw new ApplyException("fixup " + x.name() + " does not reach its target.");
                    }
                    b.putInt(at, (int) v);
                }
                case X86_ABS32 -> {
                    b.putInt(at, (int) (imageBase + target));
                    extraRelocs.add(site);
                }
                case X64_ABS64 -> {
                    b.putLong(at, imageBase + target);
                    extraRelocs.add(site);
                }
                case ARM64_BRANCH26 -> b.putInt(at, Arm64Fields.branch26(b.getInt(at), target - site));
                case ARM64_ADRP_ADD, ARM64_ADRP_LDST -> {
                    b.putInt(at, Arm64Fields.adrp(b.getInt(at), site, target));
                    int shift = x.kind() == dev.hotpatch.packager.format.FixupKind.ARM64_ADRP_LDST ? x.accessShift() : 0;
                    int pair = at + x.pairOffset();
                    b.putInt(pair, Arm64Fields.lo12(b.getInt(pair), target, shift));
                }
                default -> throw new ApplyException("fixup kind " + x.kind() + " is not supported by the offline applier.");
            }
        }

        void trampoline(long siteRva, long targetRva, byte[] original, boolean hop) throws ApplyException {
            long offset = base.fileOffset(siteRva, original.length);
            if (offset < 0) {
                throw new ApplyException(String.format("the trampoline site 0x%x is not in the base file.", siteRva));
            }
            for (int i = 0; i < original.length; i++) {
                if (file.get((int) offset + i) != original[i]) {
                    throw new ApplyException(String.format("the base's bytes at 0x%x are not the ones the patch expects.", siteRva));
                }
            }
            Jumps.direct(base.machine(), file, (int) offset, siteRva, targetRva);
            if (hop) {
                Jumps.hop(file, (int) offset + Jumps.directSize(base.machine()));
            }
        }

        /** The bytes of one patch section and where [rva, rva + width) starts in them. */
        record Slot(ByteBuffer bytes, int at) {}

        /**
         * The section content holding all of [rva, rva + width); a range in no section, or leaving its section, is
         * a malformed patch: the error names the structure and field that point there.
         */
        Slot slot(byte[][] content, long rva, int width, String structure, String field) throws PatchFormatException {
            for (int i = 0; i < patch.sections().size(); i++) {
                Section s = patch.sections().get(i);
                if (rva >= s.rva() && rva - s.rva() + width <= content[i].length) {
                    return new Slot(ByteBuffer.wrap(content[i]).order(ByteOrder.LITTLE_ENDIAN), (int) (rva - s.rva()));
                }
            }
            throw new PatchFormatException(structure, field, -1, "an RVA whose " + width
                    + " bytes lie inside one section of the patch", String.format("0x%x", rva));
        }

        // ---- the merged file's headers --------------------------------------------------------------------

        long nextRva() {
            long max = base.optionalHeader().sizeOfImage();
            for (byte[] h : newHeaders) {
                ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
                max = Math.max(max, (hb.getInt(12) & 0xffffffffL) + (hb.getInt(8) & 0xffffffffL));
            }
            return alignUp(max, base.optionalHeader().sectionAlignment());
        }

        /** Appends a section at {@code rva} (or the next free RVA when -1) and returns its RVA. */
        long addSection(String name, long rva, byte[] data, long characteristics) {
            long at = rva < 0 ? nextRva() : rva;
            long fileAlign = base.optionalHeader().fileAlignment();
            int raw = (int) alignUp(data.length, fileAlign);
            int pointer = fileEnd;
            ensure(pointer + raw);
            file.put(pointer, data);
            fileEnd = pointer + raw;
            byte[] h = new byte[SECTION_HEADER];
            ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, h, 0, Math.min(8, n.length));
            hb.putInt(8, Math.max(data.length, 1));
            hb.putInt(12, (int) at);
            hb.putInt(16, raw);
            hb.putInt(20, raw == 0 ? 0 : pointer);
            hb.putInt(36, (int) characteristics);
            newHeaders.add(h);
            return at;
        }

        void ensure(int size) {
            if (file.capacity() < size) {
                // Grow by an eighth, not double: an 80 MB base must stay inside a small heap.
                int grown = (int) Math.min(Integer.MAX_VALUE - 8, file.capacity() + (file.capacity() >> 3));
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(size, grown)).order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(0, file, 0, file.capacity());
                file = bigger;
            }
        }

        long optionalHeaderOffset() {
            return base.ntHeadersOffset() + 24;
        }

        void setDirectory(DirectoryKind kind, long rva, long size) {
            int at = (int) (optionalHeaderOffset() + (pe32Plus ? 112 : 96) + 8 * kind.ordinal());
            file.putInt(at, (int) rva);
            file.putInt(at + 4, (int) size);
        }

        byte[] finish() throws ApplyException {
            long nt = base.ntHeadersOffset();
            int count = base.fileHeader().numberOfSections();
            long table = optionalHeaderOffset() + base.fileHeader().sizeOfOptionalHeader();
            long tableEnd = table + (long) (count + newHeaders.size()) * SECTION_HEADER;
            long firstRaw = base.sections().stream().filter(s -> s.rawSize() > 0).mapToLong(Section::rawOffset).min().orElse(Long.MAX_VALUE);
            if (tableEnd > base.optionalHeader().sizeOfHeaders() || tableEnd > firstRaw) {
                makeHeaderRoom(tableEnd, firstRaw);
            }
            for (int i = 0; i < newHeaders.size(); i++) {
                file.put((int) (table + (long) (count + i) * SECTION_HEADER), newHeaders.get(i));
            }
            file.putShort((int) nt + 6, (short) (count + newHeaders.size()));
            long opt = optionalHeaderOffset();
            file.putInt((int) opt + 56, (int) nextRva());
            setDirectory(DirectoryKind.CERTIFICATE, 0, 0);        // any signature no longer covers the image
            byte[] out = Arrays.copyOf(file.array(), fileEnd);
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt((int) opt + 64,
                    (int) PeChecksum.compute(out, (int) opt + 64));
            return out;
        }

        /**
         * Grows the headers to hold the section table up to {@code tableEnd}: SizeOfHeaders grows (it may not
         * reach the first section's RVA), and when the headers would overlap the first section's raw data, every
         * byte from there on moves down by whole file-alignment units, with the file pointers that name them
         * (sections' PointerToRawData, PointerToSymbolTable, debug entries' PointerToRawData).
         */
        void makeHeaderRoom(long tableEnd, long firstRaw) throws ApplyException {
            long fileAlign = base.optionalHeader().fileAlignment();
            long sizeOfHeaders = alignUp(tableEnd, fileAlign);
            long firstRva = base.sections().stream().mapToLong(Section::rva).min().orElse(Long.MAX_VALUE);
            if (sizeOfHeaders > firstRva) {
                throw new ApplyException("the base's headers cannot grow to hold " + newHeaders.size()
                        + " more section headers (its first section starts at rva 0x" + Long.toHexString(firstRva)
                        + "); rebuild the base with spare header room.");
            }
            long shift = firstRaw == Long.MAX_VALUE ? 0 : Math.max(0, alignUp(sizeOfHeaders - firstRaw, fileAlign));
            if (shift > 0) {
                int from = (int) firstRaw;
                ByteBuffer moved = ByteBuffer.allocate(file.capacity() + (int) shift).order(ByteOrder.LITTLE_ENDIAN);
                moved.put(0, file, 0, from);
                moved.put(from + (int) shift, file, from, fileEnd - from);
                file = moved;
                fileEnd += (int) shift;
                long table = optionalHeaderOffset() + base.fileHeader().sizeOfOptionalHeader();
                for (int i = 0; i < base.fileHeader().numberOfSections(); i++) {
                    int at = (int) (table + (long) i * SECTION_HEADER + 20);
                    long pointer = file.getInt(at) & 0xffffffffL;
                    if (pointer >= firstRaw) {
                        file.putInt(at, (int) (pointer + shift));
                    }
                }
                for (byte[] h : newHeaders) {
                    ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
                    if ((hb.getInt(20) & 0xffffffffL) >= firstRaw) {
                        hb.putInt(20, (int) ((hb.getInt(20) & 0xffffffffL) + shift));
                    }
                }
                int symbols = (int) base.ntHeadersOffset() + 4 + 8;
                long symbolTable = file.getInt(symbols) & 0xffffffffL;
                if (symbolTable >= firstRaw) {
                    file.putInt(symbols, (int) (symbolTable + shift));
                }
                var debug = base.directory(DirectoryKind.DEBUG).filter(DataDirectory::isPresent);
                if (debug.isPresent()) {
                    long dir = base.fileOffset(debug.get().address(), debug.get().size());
                    int entries = (int) Math.min(base.debugEntries().size(), debug.get().size() / 28);
                    for (int i = 0; dir >= 0 && i < entries; i++) {
                        int at = (int) (dir + (dir >= firstRaw ? shift : 0) + 28L * i + 24);
                        long pointer = file.getInt(at) & 0xffffffffL;
                        if (pointer >= firstRaw) {
                            file.putInt(at, (int) (pointer + shift));
                        }
                    }
                }
            }
            file.putInt((int) optionalHeaderOffset() + 60, (int) sizeOfHeaders);
        }

        static long alignUp(long v, long a) {
            return (v + a - 1) / a * a;
        }
    }
}
