package dev.hotpatch.packager.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.hotpatch.packager.format.Fields.hex;

/**
 * Reads and checks the function and fixup tables once the header has placed them inside the tables (so every
 * record lies within Size): each record's fields, the sort order, the runs of fixups, and that no two
 * trampolines and no two fixups write the same bytes.
 */
final class RecordReader {
    private static final long TWO_32 = 1L << 32;
    /** Function indices packed under an RVA in one sortable long (PatchLimits.MAX_FUNCTIONS fits). */
    private static final int INDEX_BITS = 21;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    private final TableInput in;
    private final StringTable strings;
    private final int machine;
    private final long sizeOfImage;

    RecordReader(TableInput in, StringTable strings, HotPatchBase base) {
        this.in = in;
        this.strings = strings;
        this.machine = base.machine();
        this.sizeOfImage = base.originalSizeOfImage();
    }

    record Records(List<FunctionRecord> functions, List<FixupRecord> dataFixups) {}

    /** A function record's fields before its fixups are attached. */
    private record Function(long baseRva, long patchRva, long patchSize, int flags, long siteRva, byte[] original,
                            int firstFixup, int fixupCount, String name) {}

    Records read(long functionOffset, long functionCount, long fixupOffset, long fixupCount)
            throws PatchFormatException {
        List<Function> functions = new ArrayList<>((int) functionCount);
        int nextFixup = 0;
        for (int i = 0; i < functionCount; i++) {
            Function f = function(i, functionOffset + (long) i * TableLayout.Function.LENGTH, nextFixup, fixupCount);
            if (i > 0) {
                Function p = functions.get(i - 1);
                if (f.patchRva < p.patchRva || f.patchRva == p.patchRva && f.baseRva <= p.baseRva) {
                    throw new PatchFormatException(name(i), "patch_rva", recordAt(functionOffset, i)
                            + TableLayout.Function.PATCH_RVA,
                            "records sorted by PatchRva, then BaseRva, without repeats (the previous one is "
                                    + hex(p.patchRva) + "/" + hex(p.baseRva) + ")",
                            hex(f.patchRva) + "/" + hex(f.baseRva));
                }
            }
            functions.add(f);
            nextFixup += f.fixupCount;
        }
        distinctBases(functions, functionOffset);
        separateSites(functions, functionOffset);

        List<FixupRecord> fixups = new ArrayList<>((int) fixupCount);
        for (int j = 0; j < fixupCount; j++) {
            fixups.add(fixup(j, fixupOffset + (long) j * TableLayout.Fixup.LENGTH));
        }
        for (Function f : functions) {
            sortedRun(fixups, f.firstFixup, f.firstFixup + f.fixupCount, fixupOffset);
        }
        sortedRun(fixups, nextFixup, fixups.size(), fixupOffset);
        new WriteRanges(machine).check(fixups, fixupOffset);

        List<FunctionRecord> out = new ArrayList<>(functions.size());
        for (Function f : functions) {
            out.add(new FunctionRecord(f.baseRva, f.patchRva, f.patchSize, f.flags, f.siteRva, f.original,
                    fixups.subList(f.firstFixup, f.firstFixup + f.fixupCount), f.name));
        }
        return new Records(out, fixups.subList(nextFixup, fixups.size()));
    }

    /** Fixups [from, to) are sorted by SiteRva. */
    private static void sortedRun(List<FixupRecord> fixups, int from, int to, long tableOffset)
            throws PatchFormatException {
        for (int j = from + 1; j < to; j++) {
            long previous = fixups.get(j - 1).siteRva();
            if (fixups.get(j).siteRva() < previous) {
                throw new PatchFormatException("fixup_record[" + j + "]", "site_rva",
                        tableOffset + (long) j * TableLayout.Fixup.LENGTH + TableLayout.Fixup.SITE_RVA,
                        "fixups sorted by SiteRva within their run (the previous one is at " + hex(previous) + ")",
                        hex(fixups.get(j).siteRva()));
            }
        }
    }

    private static String name(int i) {
        return "function_record[" + i + "]";
    }

    private static long recordAt(long tableOffset, int i) {
        return tableOffset + (long) i * TableLayout.Function.LENGTH;
    }

    private Function function(int i, long at, int nextFixup, long fixupCount) throws PatchFormatException {
        String s = name(i);
        long baseRva = in.u32(at + TableLayout.Function.BASE_RVA, s, "base_rva");
        long patchRva = in.u32(at + TableLayout.Function.PATCH_RVA, s, "patch_rva");
        long patchSize = in.u32(at + TableLayout.Function.PATCH_SIZE, s, "patch_size");
        int flags = (int) in.u32(at + TableLayout.Function.FLAGS, s, "flags");
        long siteRva = in.u32(at + TableLayout.Function.SITE_RVA, s, "site_rva");
        int siteSize = in.u8(at + TableLayout.Function.SITE_SIZE, s, "site_size");
        long firstFixup = in.u32(at + TableLayout.Function.FIRST_FIXUP, s, "first_fixup");
        long count = in.u32(at + TableLayout.Function.FIXUP_COUNT, s, "fixup_count");
        long nameOffset = in.u32(at + TableLayout.Function.NAME_OFFSET, s, "name_offset");

        if (patchSize < 1 || patchRva + patchSize > TWO_32) {
            throw new PatchFormatException(s, "patch_size", at + TableLayout.Function.PATCH_SIZE,
                    "1 to 0x" + Long.toHexString(TWO_32 - patchRva) + " (a function that ends below 4 GB)",
                    hex(patchSize));
        }
        checkFlags(s, at, flags, baseRva);
        if ((flags & FunctionRecord.NEW) == 0 && baseRva >= sizeOfImage) {
            throw new PatchFormatException(s, "base_rva", at + TableLayout.Function.BASE_RVA,
                    "an RVA inside the base image (below OriginalSizeOfImage " + hex(sizeOfImage) + ")", hex(baseRva))
                    .fault(PatchFormatException.Fault.OUTSIDE_BASE);
        }
        checkSite(s, at, flags, baseRva, siteRva, siteSize);
        if (!in.zero(at + TableLayout.Function.RESERVED_1, TableLayout.Function.RESERVED_1_LENGTH, s, "reserved")
                || !in.zero(at + TableLayout.Function.RESERVED_2, TableLayout.Function.RESERVED_2_LENGTH, s,
                "reserved")) {
            throw new PatchFormatException(s, "reserved", at + TableLayout.Function.RESERVED_1,
                    "zero bytes at 0x15..0x17 and 0x34..0x3f of the record", "a non-zero byte");
        }
        if (!in.zero(at + TableLayout.Function.ORIGINAL_BYTES + siteSize,
                TableLayout.Function.ORIGINAL_BYTES_LENGTH - siteSize, s, "original_bytes")) {
            throw new PatchFormatException(s, "original_bytes", at + TableLayout.Function.ORIGINAL_BYTES,
                    "zero bytes after the first SiteSize (" + siteSize + ")", "a non-zero byte");
        }
        byte[] original = in.copy(at + TableLayout.Function.ORIGINAL_BYTES, siteSize, s, "original_bytes");
        if (firstFixup > fixupCount || count > fixupCount - firstFixup) {
            throw new PatchFormatException(s, "fixup_count", at + TableLayout.Function.FIXUP_COUNT,
                    "a run that ends inside the fixup table (FixupCount " + fixupCount + ")",
                    count + " fixups from index " + firstFixup);
        }
        if (firstFixup != nextFixup) {
            throw new PatchFormatException(s, "first_fixup", at + TableLayout.Function.FIRST_FIXUP,
                    nextFixup + " (runs follow one another in function order)", String.valueOf(firstFixup));
        }
        String name = strings.at(nameOffset, s, "name_offset", at + TableLayout.Function.NAME_OFFSET);
        return new Function(baseRva, patchRva, patchSize, flags, siteRva, original, (int) firstFixup, (int) count,
                name);
    }

    private void checkFlags(String s, long at, int flags, long baseRva) throws PatchFormatException {
        boolean isNew = (flags & FunctionRecord.NEW) != 0;
        boolean redirect = (flags & FunctionRecord.REDIRECT) != 0;
        boolean hop = (flags & FunctionRecord.HOP) != 0;
        String problem = null;
        if ((flags & ~FunctionRecord.KNOWN_FLAGS) != 0) {
            problem = "only the bits 0x7 (REDIRECT 0x1, NEW 0x2, HOP 0x4)";
        } else if (isNew && (redirect || hop)) {
            problem = "NEW without REDIRECT or HOP (a new function has no base site)";
        } else if (hop && !redirect) {
            problem = "HOP only together with REDIRECT";
        } else if (hop && machine == HotPatchBase.MACHINE_ARM64) {
            problem = "no HOP on ARM64 (its trampoline is one B instruction)";
        }
        if (problem != null) {
            throw new PatchFormatException(s, "flags", at + TableLayout.Function.FLAGS, problem,
                    hex(Integer.toUnsignedLong(flags))).fault((flags & ~FunctionRecord.KNOWN_FLAGS) != 0
                    ? PatchFormatException.Fault.UNKNOWN_KIND : PatchFormatException.Fault.MALFORMED);
        }
        if (isNew != (baseRva == FunctionRecord.NO_BASE_RVA)) {
            throw new PatchFormatException(s, "base_rva", at + TableLayout.Function.BASE_RVA,
                    isNew ? "0xffffffff (flags say NEW)" : "the base function's entry RVA, not 0xffffffff (flags say"
                            + " it replaces a base function)", hex(baseRva));
        }
    }

    private void checkSite(String s, long at, int flags, long baseRva, long siteRva, int siteSize)
            throws PatchFormatException {
        long expectedRva = 0;
        int expectedSize = 0;
        if ((flags & FunctionRecord.REDIRECT) != 0) {
            boolean hop = (flags & FunctionRecord.HOP) != 0;
            if (machine == HotPatchBase.MACHINE_ARM64) {
                expectedSize = FunctionRecord.SITE_SIZE_ARM64;
                if (baseRva % 4 != 0) {
                    throw new PatchFormatException(s, "base_rva", at + TableLayout.Function.BASE_RVA,
                            "a multiple of 4 (an ARM64 instruction)", hex(baseRva));
                }
            } else {
                expectedSize = hop ? FunctionRecord.SITE_SIZE_HOP : FunctionRecord.SITE_SIZE_JUMP;
            }
            if (hop && baseRva < FunctionRecord.HOP_PADDING) {
                throw new PatchFormatException(s, "base_rva", at + TableLayout.Function.BASE_RVA,
                        "at least 5 (HOP writes the 5 bytes before the entry)", hex(baseRva));
            }
            expectedRva = hop ? baseRva - FunctionRecord.HOP_PADDING : baseRva;
        }
        if (siteSize != expectedSize) {
            throw new PatchFormatException(s, "site_size", at + TableLayout.Function.SITE_SIZE,
                    expectedSize + " (for these flags on this machine)", String.valueOf(siteSize));
        }
        if (siteRva != expectedRva) {
            throw new PatchFormatException(s, "site_rva", at + TableLayout.Function.SITE_RVA,
                    hex(expectedRva) + " (for these flags and this BaseRva)", hex(siteRva));
        }
        if (siteRva + siteSize > sizeOfImage) {
            throw new PatchFormatException(s, "site_rva", at + TableLayout.Function.SITE_RVA,
                    "a site that ends inside the base image (OriginalSizeOfImage " + hex(sizeOfImage) + ")",
                    hex(siteRva) + "+" + siteSize)
                    .fault(PatchFormatException.Fault.OUTSIDE_BASE);
        }
    }

    /** No base function is replaced twice. */
    private static void distinctBases(List<Function> functions, long tableOffset) throws PatchFormatException {
        long[] keys = new long[functions.size()];
        int n = 0;
        for (int i = 0; i < functions.size(); i++) {
            if ((functions.get(i).flags & FunctionRecord.NEW) == 0) {
                keys[n++] = functions.get(i).baseRva << INDEX_BITS | i;
            }
        }
        Arrays.sort(keys, 0, n);
        for (int k = 1; k < n; k++) {
            if (keys[k] >>> INDEX_BITS == keys[k - 1] >>> INDEX_BITS) {
                int i = (int) (keys[k] & INDEX_MASK);
                throw new PatchFormatException(name(i), "base_rva", recordAt(tableOffset, i)
                        + TableLayout.Function.BASE_RVA, "a base function no other record replaces",
                        hex(keys[k] >>> INDEX_BITS) + ", also in " + name((int) (keys[k - 1] & INDEX_MASK)))
                    .fault(PatchFormatException.Fault.OVERLAP);
            }
        }
    }

    /** No two trampolines overwrite the same base byte. */
    private static void separateSites(List<Function> functions, long tableOffset) throws PatchFormatException {
        long[] keys = new long[functions.size()];
        int n = 0;
        for (int i = 0; i < functions.size(); i++) {
            if ((functions.get(i).flags & FunctionRecord.REDIRECT) != 0) {
                keys[n++] = functions.get(i).siteRva << INDEX_BITS | i;
            }
        }
        Arrays.sort(keys, 0, n);
        for (int k = 1; k < n; k++) {
            int p = (int) (keys[k - 1] & INDEX_MASK);
            Function previous = functions.get(p);
            int i = (int) (keys[k] & INDEX_MASK);
            long previousEnd = previous.siteRva + previous.original.length;
            if (functions.get(i).siteRva < previousEnd) {
                throw new PatchFormatException(name(i), "site_rva", recordAt(tableOffset, i)
                        + TableLayout.Function.SITE_RVA,
                        "a site that no other trampoline overwrites (" + name(p)
                                + "'s ends at " + hex(previousEnd) + ")", hex(functions.get(i).siteRva))
                    .fault(PatchFormatException.Fault.OVERLAP);
            }
        }
    }

    private FixupRecord fixup(int j, long at) throws PatchFormatException {
        String s = "fixup_record[" + j + "]";
        long siteRva = in.u32(at + TableLayout.Fixup.SITE_RVA, s, "site_rva");
        int kindCode = in.u8(at + TableLayout.Fixup.KIND, s, "kind");
        int modifier = in.u8(at + TableLayout.Fixup.TAIL_OR_ACCESS_SHIFT, s, "tail");
        int pairOffset = in.u16(at + TableLayout.Fixup.PAIR_OFFSET, s, "pair_offset");
        long targetRva = in.u32(at + TableLayout.Fixup.TARGET_RVA, s, "target_rva");
        int addend = in.i32(at + TableLayout.Fixup.ADDEND, s, "addend");
        long nameOffset = in.u32(at + TableLayout.Fixup.NAME_OFFSET, s, "name_offset");
        long reserved = in.u32(at + TableLayout.Fixup.RESERVED, s, "reserved");

        FixupKind kind = FixupKind.of(kindCode).orElseThrow(() -> new PatchFormatException(s, "kind",
                at + TableLayout.Fixup.KIND, "a kind from 1 to 7", String.valueOf(kindCode))
                .fault(PatchFormatException.Fault.UNKNOWN_KIND));
        if (!kind.allowedOn(machine)) {
            throw new PatchFormatException(s, "kind", at + TableLayout.Fixup.KIND,
                    "a kind for machine " + hex(machine), kindCode + " (" + kind + ")")
                    .fault(PatchFormatException.Fault.UNKNOWN_KIND);
        }
        boolean ldst = kind == FixupKind.ARM64_ADRP_LDST;
        int maxModifier = kind == FixupKind.REL32 || ldst ? 4 : 0;
        if (modifier > maxModifier) {
            throw new PatchFormatException(s, ldst ? "access_shift" : "tail", at + TableLayout.Fixup.TAIL_OR_ACCESS_SHIFT,
                    "0 to " + maxModifier + " for " + kind, String.valueOf(modifier));
        }
        if (kind.isAdrpPair() ? pairOffset < 4 || pairOffset % 4 != 0 : pairOffset != 0) {
            throw new PatchFormatException(s, "pair_offset", at + TableLayout.Fixup.PAIR_OFFSET,
                    kind.isAdrpPair() ? "a non-zero multiple of 4 (the next instruction or later)" : "0 for " + kind,
                    String.valueOf(pairOffset));
        }
        boolean arm64Instruction = kind.isAdrpPair() || kind == FixupKind.ARM64_BRANCH26;
        long end = siteRva + (kind.isAdrpPair() ? pairOffset + 4 : kind.siteWidth(machine));
        if (arm64Instruction && siteRva % 4 != 0 || end > TWO_32) {
            throw new PatchFormatException(s, "site_rva", at + TableLayout.Fixup.SITE_RVA,
                    (arm64Instruction ? "a multiple of 4 (an ARM64 instruction) and " : "")
                            + "a site whose bytes end below 4 GB", hex(siteRva));
        }
        if (targetRva >= sizeOfImage) {
            throw new PatchFormatException(s, "target_rva", at + TableLayout.Fixup.TARGET_RVA,
                    "an RVA inside the base image (below OriginalSizeOfImage " + hex(sizeOfImage) + ")",
                    hex(targetRva))
                    .fault(PatchFormatException.Fault.OUTSIDE_BASE);
        }
        long alignment = ldst ? 1L << modifier : kind == FixupKind.ARM64_BRANCH26 ? 4 : 1;
        if (((targetRva + addend) & (alignment - 1)) != 0) {
            throw new PatchFormatException(s, "target_rva", at + TableLayout.Fixup.TARGET_RVA,
                    "TargetRva + Addend aligned to " + alignment + " bytes (" + kind + ")",
                    hex(targetRva) + " + " + addend);
        }
        if (reserved != 0) {
            throw new PatchFormatException(s, "reserved", at + TableLayout.Fixup.RESERVED, "0", hex(reserved));
        }
        String name = strings.at(nameOffset, s, "name_offset", at + TableLayout.Fixup.NAME_OFFSET);
        return new FixupRecord(siteRva, kind, ldst ? 0 : modifier, ldst ? modifier : 0, pairOffset, targetRva,
                addend, name);
    }
}
