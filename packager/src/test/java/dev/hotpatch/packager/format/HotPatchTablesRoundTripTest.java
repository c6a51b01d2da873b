package dev.hotpatch.packager.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** write -> read gives the same tables, and the same tables always give the same bytes. */
class HotPatchTablesRoundTripTest {

    /** Fixed seeds: random machines, counts, kinds and names, the same on every run. */
    static LongStream seeds() {
        return LongStream.range(0, 200).map(i -> 0x5EED_0000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readOfWriteEqualsTheTables(long seed) throws PatchFormatException {
        HotPatchTables tables = RandomTables.generate(seed);
        byte[] bytes = HotPatchTablesWriter.write(tables);
        assertEquals(tables, HotPatchTablesReader.read(bytes));
        assertArrayEquals(bytes, HotPatchTablesWriter.write(HotPatchTablesReader.read(bytes)), "write is deterministic");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void stringTableHoldsEachNameOnceInFirstUseOrder(long seed) {
        HotPatchTables tables = RandomTables.generate(seed);
        byte[] bytes = HotPatchTablesWriter.write(tables);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int offset = b.getInt(0x2C);
        int size = b.getInt(0x30);
        List<String> expected = new ArrayList<>();
        expected.add("");
        for (String s : firstUses(tables)) {
            if (!expected.contains(s)) {
                expected.add(s);
            }
        }
        List<String> found = new ArrayList<>();
        int start = offset;
        for (int i = offset; i < offset + size; i++) {
            if (bytes[i] == 0) {
                found.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        assertEquals(offset + size, start, "the string table ends with a NUL");
        assertEquals(expected, found);
        assertEquals(bytes.length, offset + size, "the string table is last and Size covers it exactly");
    }

    private static List<String> firstUses(HotPatchTables t) {
        List<String> uses = new ArrayList<>();
        uses.add(t.base().name());
        t.functions().forEach(f -> uses.add(f.name()));
        t.fixupTable().forEach(f -> uses.add(f.name()));
        return uses;
    }

    /** The seeds reach every kind, every function form, shared ADRPs, data fixups and every machine. */
    @Test
    void seedsCoverEveryForm() {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        seeds().mapToObj(RandomTables::generate).forEach(t -> {
            seen.add("machine " + Integer.toHexString(t.base().machine()));
            t.fixupTable().forEach(f -> seen.add("kind " + f.kind()));
            t.functions().forEach(f -> seen.add("flags " + f.flags()));
            if (!t.dataFixups().isEmpty()) {
                seen.add("data fixups");
            }
            List<FixupRecord> all = t.fixupTable();
            for (int i = 1; i < all.size(); i++) {
                if (all.get(i).siteRva() == all.get(i - 1).siteRva()) {
                    seen.add("shared ADRP");
                }
            }
        });
        for (String expected : List.of("machine 14c", "machine 8664", "machine aa64", "flags 0", "flags 1",
                "flags 2", "flags 5", "data fixups", "shared ADRP")) {
            assertTrue(seen.contains(expected), expected + " not covered: " + seen);
        }
        for (FixupKind k : FixupKind.values()) {
            assertTrue(seen.contains("kind " + k), k + " not covered: " + seen);
        }
    }

    @Test
    void recordsAreWrittenInTableOrderWhateverOrderTheyAreGivenIn() throws PatchFormatException {
        HotPatchTables tables = RandomTables.generate(7);
        List<FunctionRecord> reversed = new ArrayList<>(tables.functions());
        java.util.Collections.reverse(reversed);
        HotPatchTables shuffled = new HotPatchTables(tables.header(), tables.base(), reversed, tables.dataFixups());
        assertArrayEquals(HotPatchTablesWriter.write(tables), HotPatchTablesWriter.write(shuffled));
        List<FunctionRecord> read = HotPatchTablesReader.read(HotPatchTablesWriter.write(shuffled)).functions();
        for (int i = 1; i < read.size(); i++) {
            assertTrue(read.get(i - 1).patchRva() <= read.get(i).patchRva());
        }
    }

    @Test
    void bytesAfterSizeAreIgnored() throws PatchFormatException {
        HotPatchTables tables = RandomTables.generate(11);
        byte[] bytes = HotPatchTablesWriter.write(tables);
        byte[] padded = Arrays.copyOf(bytes, (bytes.length + 0x1FF) & ~0x1FF);
        Arrays.fill(padded, bytes.length, padded.length, (byte) 0xCC);
        assertEquals(tables, HotPatchTablesReader.read(padded));
    }

    @Test
    void writerRefusesTablesTheFormatDoesNotAllow() {
        byte[] sha = new byte[32];
        HotPatchBase base = new HotPatchBase(1, 2, 0x10000, HotPatchBase.MACHINE_AMD64, sha, "base.dll");
        HotPatchHeader header = new HotPatchHeader(1, 0, HotPatchHeader.MACHINE_AMD64);
        FunctionRecord f = FunctionRecord.redirectedJump(0x1000, 0x1000, 0x20, new byte[] {1, 2, 3, 4, 5},
                List.of(FixupRecord.rel32(0x1004, 0, 0x2000, 0, "a"), FixupRecord.rel32(0x1006, 0, 0x2000, 0, "b")),
                "f");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HotPatchTablesWriter.write(new HotPatchTables(header, base, List.of(f), List.of())));
        assertTrue(e.getMessage().contains("fixup_record[1].site_rva"), e.getMessage());
    }
}
