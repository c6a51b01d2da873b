package dev.hotpatch.packager.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds valid hot-patch tables from a seed: random machine, flags, counts, kinds, sites and names (duplicates,
 * the empty string and non-ASCII names included), always within the rules of docs/format.md.
 */
final class RandomTables {
    private RandomTables() {}

    private static final int[] MACHINES = {HotPatchBase.MACHINE_I386, HotPatchBase.MACHINE_AMD64,
        HotPatchBase.MACHINE_ARM64};
    private static final String[] NAMES = {"", "main", "compute", "global counter", "import kernel32.dll!Sleep",
        "function std::vector<int>::push_back", "függvény", "関数", "emoji \uD83D\uDE00", "literal \"%d\\n\""};
    private static final long SIZE_OF_IMAGE = 0x0010_0000L;
    /** Fixup sites live here, 16 bytes apart, so that no two fixups write the same bytes. */
    private static final long FIXUP_SITES = 0x0020_0000L;

    static HotPatchTables generate(long seed) {
        Random r = new Random(seed);
        int machine = MACHINES[r.nextInt(MACHINES.length)];
        long sequence = 1 + r.nextInt(1000);
        int flags = HotPatchHeader.machineFlag(machine)
                | (r.nextBoolean() ? HotPatchHeader.OBLIGATORY : 0)
                | (r.nextBoolean() ? HotPatchHeader.CAN_ROLL_BACK : 0)
                | (r.nextBoolean() ? HotPatchHeader.CUMULATIVE : 0);
        HotPatchHeader header = new HotPatchHeader(sequence, r.nextInt((int) sequence + 1), flags);
        byte[] sha = new byte[32];
        r.nextBytes(sha);
        HotPatchBase base = new HotPatchBase(r.nextInt() & 0xFFFF_FFFFL, r.nextInt() & 0xFFFF_FFFFL,
                SIZE_OF_IMAGE, machine, sha, name(r));

        long[] siteCursor = {FIXUP_SITES + r.nextInt(64) * 16L};
        List<FunctionRecord> functions = new ArrayList<>();
        long patchCursor = 0x1000;
        long baseCursor = 0x2000;
        int count = r.nextInt(13);
        for (int i = 0; i < count; i++) {
            long patchSize = 1 + r.nextInt(0x200);
            long patchRva = patchCursor;
            patchCursor = (patchCursor + patchSize + 15) & ~15L;
            baseCursor += 0x20 + r.nextInt(0x100) * 4L;
            long baseRva = baseCursor;
            List<FixupRecord> fixups = fixups(r, machine, siteCursor, r.nextInt(7), false);
            int form = r.nextInt(10);
            FunctionRecord f;
            if (form < 2) {
                f = FunctionRecord.added(patchRva, patchSize, fixups, name(r));
            } else if (form < 4) {
                f = new FunctionRecord(baseRva, patchRva, patchSize, 0, 0, new byte[0], fixups, name(r));
            } else if (form < 7 && machine != HotPatchBase.MACHINE_ARM64) {
                f = new FunctionRecord(baseRva, patchRva, patchSize, FunctionRecord.REDIRECT | FunctionRecord.HOP,
                        baseRva - 5, bytes(r, 7), fixups, name(r));
            } else {
                int siteSize = machine == HotPatchBase.MACHINE_ARM64 ? 4 : 5;
                f = FunctionRecord.redirectedJump(baseRva, patchRva, patchSize, bytes(r, siteSize), fixups, name(r));
            }
            functions.add(f);
        }
        List<FixupRecord> data = fixups(r, machine, siteCursor, r.nextInt(4), true);
        return new HotPatchTables(header, base, functions, data);
    }

    private static List<FixupRecord> fixups(Random r, int machine, long[] cursor, int count, boolean dataOnly) {
        List<FixupKind> kinds = new ArrayList<>();
        for (FixupKind k : FixupKind.values()) {
            boolean dataKind = k == FixupKind.X86_ABS32 || k == FixupKind.X64_ABS64 || k == FixupKind.INDIRECT;
            if (k.allowedOn(machine) && (!dataOnly || dataKind)) {
                kinds.add(k);
            }
        }
        List<FixupRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long site = cursor[0];
            cursor[0] += 16 * (1 + r.nextInt(4));
            FixupKind kind = kinds.get(r.nextInt(kinds.size()));
            long target = r.nextInt((int) SIZE_OF_IMAGE);
            int addend = r.nextInt(5) == 0 ? r.nextInt(256) - 128 : 0;
            String name = name(r);
            switch (kind) {
                case REL32 -> out.add(FixupRecord.rel32(site, r.nextInt(5), target, addend, name));
                case ARM64_ADRP_ADD -> {
                    out.add(FixupRecord.adrpAdd(site, 4, target, addend, name));
                    if (r.nextInt(3) == 0) {
                        // A second ADD served by the same ADRP: its target lies in the same page.
                        long sibling = (target + addend) & ~0xFFFL | r.nextInt(0x1000);
                        out.add(FixupRecord.adrpAdd(site, 8, sibling, 0, name(r)));
                    }
                }
                case ARM64_ADRP_LDST -> {
                    int shift = r.nextInt(5);
                    int mask = (1 << shift) - 1;
                    out.add(FixupRecord.adrpLdst(site, 4 + 4 * r.nextInt(2), shift, target & ~mask, addend & ~mask,
                            name));
                }
                case ARM64_BRANCH26 -> out.add(FixupRecord.simple(site, kind, target & ~3L, addend & ~3, name));
                default -> out.add(FixupRecord.simple(site, kind, target, addend, name));
            }
        }
        return out;
    }

    private static String name(Random r) {
        return NAMES[r.nextInt(NAMES.length)];
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
