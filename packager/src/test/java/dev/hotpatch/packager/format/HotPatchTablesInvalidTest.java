package dev.hotpatch.packager.format;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each rule of docs/format.md that makes tables invalid, one test each: the worked example's bytes (or a small
 * table written for the case) with one field changed, and the structure and field the error must name.
 * Offsets below are those of the worked example: header 0x00, base 0x40, function 0x80, fixup 0xc0, strings 0xd8.
 */
class HotPatchTablesInvalidTest {

    private static final int FUNCTION = 0x80;
    private static final int FIXUP = 0xC0;
    private static final int STRINGS = 0xD8;

    /** The worked example with one change applied to its bytes. */
    private static byte[] example(Consumer<ByteBuffer> change) {
        ByteBuffer b = ByteBuffer.wrap(HotPatchTablesWriter.write(HotPatchTablesWorkedExampleTest.example()))
                .order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        return b.array();
    }

    private static PatchFormatException refused(byte[] bytes, String structure, String field) {
        PatchFormatException e = assertThrows(PatchFormatException.class, () -> HotPatchTablesReader.read(bytes));
        assertEquals(structure + "." + field, e.structure() + "." + e.field(), e.getMessage());
        return e;
    }

    @Test
    void theExampleItselfIsValid() throws PatchFormatException {
        assertEquals(HotPatchTablesWorkedExampleTest.example(), HotPatchTablesReader.read(example(b -> { })));
    }

    @Test
    void messageNamesStructureFieldOffsetExpectedAndFound() {
        PatchFormatException e = refused(example(b -> b.putInt(0x00, 0x12345678)), "hpatch_header", "magic");
        assertEquals("hpatch_header.magic at 0x0: expected 0x54415048 (\"HPAT\"), found 0x12345678", e.getMessage());
        assertEquals(0, e.offset());
    }

    @Test
    void fewerBytesThanAHeader() {
        refused(new byte[10], "hpatch_header", "extent");
    }

    @Test
    void unknownFormatVersion() {
        PatchFormatException e = refused(example(b -> b.putShort(0x04, (short) 2)), "hpatch_header", "format_version");
        assertEquals(4, e.offset());
    }

    @Test
    void headerSizeOtherThan64() {
        refused(example(b -> b.putShort(0x06, (short) 0x48)), "hpatch_header", "header_size");
    }

    @Test
    void sizePastTheInput() {
        refused(example(b -> b.putInt(0x08, 0xF9)), "hpatch_header", "size");
    }

    @Test
    void unknownHeaderFlagBit() {
        refused(example(b -> b.putInt(0x14, 0x32 | 0x40)), "hpatch_header", "flags");
    }

    @Test
    void twoMachineFlags() {
        refused(example(b -> b.putInt(0x14, 0x32 | HotPatchHeader.MACHINE_I386)), "hpatch_header", "flags");
    }

    @Test
    void sequenceNumberZero() {
        refused(example(b -> b.putInt(0x0C, 0).putInt(0x10, 0)), "hpatch_header", "sequence_number");
    }

    @Test
    void minSequenceAboveSequence() {
        refused(example(b -> b.putInt(0x10, 3)), "hpatch_header", "min_sequence_number");
    }

    @Test
    void headerReservedNotZero() {
        refused(example(b -> b.put(0x3F, (byte) 1)), "hpatch_header", "reserved");
    }

    @Test
    void functionOffsetPastSize() {
        refused(example(b -> b.putInt(0x1C, 0x100)), "hpatch_header", "function_offset");
    }

    @Test
    void functionTableRunsPastSize() {
        refused(example(b -> b.putInt(0x20, 3)), "hpatch_header", "function_count");
    }

    @Test
    void hugeFixupCountIsRefusedBeforeAnythingIsAllocated() {
        refused(example(b -> b.putInt(0x28, 0xFFFF_FFFF)), "hpatch_header", "fixup_count");
    }

    @Test
    void stringTableRunsPastSize() {
        refused(example(b -> b.putInt(0x30, 0x21)), "hpatch_header", "string_size");
    }

    @Test
    void misalignedFixupTable() {
        refused(example(b -> b.putInt(0x24, 0xC2)), "hpatch_header", "fixup_offset");
    }

    @Test
    void tablesOverlap() {
        refused(example(b -> b.putInt(0x24, 0x98)), "hpatch_header", "fixup_offset");
    }

    @Test
    void tableInsideTheHeader() {
        refused(example(b -> b.putInt(0x18, 0x20)), "hpatch_header", "base_offset");
    }

    @Test
    void baseMachineDisagreesWithTheHeaderFlags() {
        refused(example(b -> b.putShort(0x4C, (short) HotPatchBase.MACHINE_ARM64)), "hpatch_base", "machine");
    }

    @Test
    void baseReservedNotZero() {
        refused(example(b -> b.put(0x4E, (byte) 1)), "hpatch_base", "reserved");
    }

    @Test
    void unknownFunctionFlagBit() {
        refused(example(b -> b.putInt(FUNCTION + 0x0C, 0x9)), "function_record[0]", "flags");
    }

    @Test
    void hopWithoutRedirect() {
        refused(example(b -> b.putInt(FUNCTION + 0x0C, FunctionRecord.HOP)), "function_record[0]", "flags");
    }

    @Test
    void newFunctionWithABaseRva() {
        refused(example(b -> b.putInt(FUNCTION + 0x0C, FunctionRecord.NEW)), "function_record[0]", "base_rva");
    }

    @Test
    void baseRvaPastTheBaseImage() {
        refused(example(b -> b.putInt(FUNCTION, 0x23000).putInt(FUNCTION + 0x10, 0x23000)), "function_record[0]",
                "base_rva");
    }

    @Test
    void siteSizeWrongForTheMachine() {
        refused(example(b -> b.put(FUNCTION + 0x14, (byte) 4)), "function_record[0]", "site_size");
    }

    @Test
    void siteElsewhereThanTheEntry() {
        refused(example(b -> b.putInt(FUNCTION + 0x10, 0x1451)), "function_record[0]", "site_rva");
    }

    @Test
    void originalBytesPastSiteSizeNotZero() {
        refused(example(b -> b.put(FUNCTION + 0x18 + 5, (byte) 0x90)), "function_record[0]", "original_bytes");
    }

    @Test
    void emptyPatchFunction() {
        refused(example(b -> b.putInt(FUNCTION + 0x08, 0)), "function_record[0]", "patch_size");
    }

    @Test
    void fixupRunPastFixupCount() {
        refused(example(b -> b.putInt(FUNCTION + 0x2C, 2)), "function_record[0]", "fixup_count");
    }

    @Test
    void runThatDoesNotStartWhereThePreviousEnded() {
        refused(example(b -> b.putInt(FUNCTION + 0x28, 1).putInt(FUNCTION + 0x2C, 0)), "function_record[0]",
                "first_fixup");
    }

    @Test
    void functionNameOffsetPastTheStringTable() {
        refused(example(b -> b.putInt(FUNCTION + 0x30, 0x20)), "function_record[0]", "name_offset");
    }

    @Test
    void nameOffsetInsideAString() {
        refused(example(b -> b.putInt(FUNCTION + 0x30, 10)), "function_record[0]", "name_offset");
    }

    @Test
    void stringWithoutNul() {
        refused(example(b -> b.put(STRINGS + 0x1F, (byte) '!')), "fixup_record[0]", "name_offset");
    }

    @Test
    void stringThatIsNotUtf8() {
        refused(example(b -> b.put(STRINGS + 0x09, (byte) 0xC3)), "function_record[0]", "name_offset");
    }

    @Test
    void stringTableThatDoesNotStartWithTheEmptyString() {
        refused(example(b -> b.put(STRINGS, (byte) 'x')), "string_table", "empty_string");
    }

    @Test
    void unknownFixupKind() {
        refused(example(b -> b.put(FIXUP + 0x04, (byte) 8)), "fixup_record[0]", "kind");
    }

    @Test
    void fixupKindZero() {
        refused(example(b -> b.put(FIXUP + 0x04, (byte) 0)), "fixup_record[0]", "kind");
    }

    @Test
    void fixupKindOfAnotherMachine() {
        refused(example(b -> b.put(FIXUP + 0x04, (byte) FixupKind.ARM64_BRANCH26.code())), "fixup_record[0]",
                "kind");
    }

    @Test
    void tailLongerThanAnImmediate() {
        refused(example(b -> b.put(FIXUP + 0x05, (byte) 5)), "fixup_record[0]", "tail");
    }

    @Test
    void pairOffsetOnAnX86Kind() {
        refused(example(b -> b.putShort(FIXUP + 0x06, (short) 4)), "fixup_record[0]", "pair_offset");
    }

    @Test
    void fixupTargetPastTheBaseImage() {
        refused(example(b -> b.putInt(FIXUP + 0x08, 0x23000)), "fixup_record[0]", "target_rva");
    }

    @Test
    void fixupReservedNotZero() {
        refused(example(b -> b.put(FIXUP + 0x14, (byte) 1)), "fixup_record[0]", "reserved");
    }

    /** Two functions of a small x64 table, written by the writer, then changed. */
    private static byte[] twoFunctions(Consumer<ByteBuffer> change) {
        HotPatchTables t = new HotPatchTables(new HotPatchHeader(1, 1, HotPatchHeader.MACHINE_AMD64),
                new HotPatchBase(0, 0, 0x10000, HotPatchBase.MACHINE_AMD64, new byte[32], "base.dll"),
                List.of(FunctionRecord.redirectedJump(0x1000, 0x1000, 0x10, new byte[5],
                                List.of(FixupRecord.rel32(0x1004, 0, 0x3000, 0, "g")), "f"),
                        FunctionRecord.redirectedJump(0x1100, 0x1010, 0x10, new byte[5],
                                List.of(FixupRecord.rel32(0x1014, 0, 0x3000, 0, "g")), "h")),
                List.of());
        ByteBuffer b = ByteBuffer.wrap(HotPatchTablesWriter.write(t)).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        return b.array();
    }

    @Test
    void functionsOutOfOrder() {
        refused(twoFunctions(b -> b.putInt(0x80 + 0x40 + 0x04, 0x0FF0)), "function_record[1]", "patch_rva");
    }

    @Test
    void oneBaseFunctionReplacedTwice() {
        refused(twoFunctions(b -> b.putInt(0x80 + 0x40, 0x1000).putInt(0x80 + 0x40 + 0x10, 0x1000)),
                "function_record[1]", "base_rva");
    }

    @Test
    void overlappingTrampolines() {
        refused(twoFunctions(b -> b.putInt(0x80 + 0x40, 0x1003).putInt(0x80 + 0x40 + 0x10, 0x1003)),
                "function_record[1]", "site_rva");
    }

    @Test
    void fixupsOutOfOrderInARun() {
        HotPatchTables t = new HotPatchTables(new HotPatchHeader(1, 1, HotPatchHeader.MACHINE_AMD64),
                new HotPatchBase(0, 0, 0x10000, HotPatchBase.MACHINE_AMD64, new byte[32], ""),
                List.of(FunctionRecord.redirectedJump(0x1000, 0x1000, 0x40, new byte[5],
                        List.of(FixupRecord.rel32(0x1004, 0, 0x3000, 0, ""),
                                FixupRecord.rel32(0x1010, 0, 0x3000, 0, "")), "f")),
                List.of());
        byte[] bytes = HotPatchTablesWriter.write(t);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0xC0 + 24, 0x1000);
        refused(bytes, "fixup_record[1]", "site_rva");
    }

    @Test
    void fixupsWritingTheSameBytes() {
        refused(twoFunctions(b -> b.putInt(0x100 + 24, 0x1006)), "fixup_record[1]", "site_rva");
    }

    /** An ARM64 table with two ADRP+ADD pairs sharing one ADRP (allowed), then with targets in two pages. */
    @Test
    void sharedAdrpOnlyForTargetsInOnePage() throws PatchFormatException {
        HotPatchTables t = new HotPatchTables(new HotPatchHeader(1, 1, HotPatchHeader.MACHINE_ARM64),
                new HotPatchBase(0, 0, 0x10000, HotPatchBase.MACHINE_ARM64, new byte[32], ""),
                List.of(FunctionRecord.added(0x1000, 0x40, List.of(
                        FixupRecord.adrpAdd(0x1000, 4, 0x3010, 0, "a"),
                        FixupRecord.adrpAdd(0x1000, 8, 0x3FF0, 0, "b")), "f")),
                List.of());
        byte[] bytes = HotPatchTablesWriter.write(t);
        assertEquals(t, HotPatchTablesReader.read(bytes));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0xC0 + 24 + 8, 0x4000);
        refused(bytes, "fixup_record[1]", "site_rva");
    }

    @Test
    void ldstTargetNotAlignedToTheAccess() {
        HotPatchTables t = new HotPatchTables(new HotPatchHeader(1, 1, HotPatchHeader.MACHINE_ARM64),
                new HotPatchBase(0, 0, 0x10000, HotPatchBase.MACHINE_ARM64, new byte[32], ""),
                List.of(FunctionRecord.added(0x1000, 0x40, List.of(
                        FixupRecord.adrpLdst(0x1000, 4, 3, 0x3010, 0, "q")), "f")),
                List.of());
        byte[] bytes = HotPatchTablesWriter.write(t);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0xC0 + 8, 0x3014);
        refused(bytes, "fixup_record[0]", "target_rva");
    }

    @Test
    void trailingBytesDoNotMakeTablesInvalid() throws PatchFormatException {
        byte[] padded = Arrays.copyOf(example(b -> { }), 0x200);
        assertEquals(HotPatchTablesWorkedExampleTest.example(), HotPatchTablesReader.read(padded));
    }
}
