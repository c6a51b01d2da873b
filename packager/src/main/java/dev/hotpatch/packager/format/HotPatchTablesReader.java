package dev.hotpatch.packager.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static dev.hotpatch.packager.format.Fields.hex;

/**
 * Parses the .hpatch tables (docs/format.md) and checks every rule the format states: magic, version, sizes,
 * every offset and count against Size, reserved fields, flags, kinds, sort order, runs and names. Input may be
 * longer than the header's Size (a section padded to its file alignment); the bytes after Size are ignored.
 * Malformed tables fail with one {@link PatchFormatException}. Nothing is allocated before the count that sizes
 * it has been checked against the bytes that must hold it.
 */
public final class HotPatchTablesReader {
    private HotPatchTablesReader() {}

    static final String HEADER = "hpatch_header";
    static final String BASE = "hpatch_base";
    static final String STRINGS = "string_table";

    /** The tables in {@code bytes}, which start with HPATCH_HEADER. */
    public static HotPatchTables read(byte[] bytes) throws PatchFormatException {
        return read(ByteBuffer.wrap(bytes));
    }

    /** The tables in the remaining bytes of {@code bytes} (its position is HPATCH_HEADER; it is not moved). */
    public static HotPatchTables read(ByteBuffer bytes) throws PatchFormatException {
        TableInput in = new TableInput(bytes);
        Layout layout = header(in);
        in.limit(layout.size);
        StringTable strings = strings(in, layout);
        HotPatchBase base = base(in, layout, strings);
        RecordReader.Records records = new RecordReader(in, strings, base)
                .read(layout.functionOffset, layout.functionCount, layout.fixupOffset, layout.fixupCount);
        return new HotPatchTables(new HotPatchHeader(layout.sequence, layout.minSequence, layout.flags), base,
                records.functions(), records.dataFixups());
    }

    /** HPATCH_HEADER's fields after their checks. */
    private record Layout(long size, long sequence, long minSequence, int flags, long baseOffset,
                          long functionOffset, long functionCount, long fixupOffset, long fixupCount,
                          long stringOffset, long stringSize) {}

    private static Layout header(TableInput in) throws PatchFormatException {
        if (in.length() < TableLayout.Header.LENGTH) {
            throw new PatchFormatException(HEADER, "extent", 0, "at least 64 bytes (the header)",
                    in.length() + " bytes");
        }
        long magic = in.u32(TableLayout.Header.MAGIC, HEADER, "magic");
        if (magic != HotPatchHeader.MAGIC) {
            throw new PatchFormatException(HEADER, "magic", TableLayout.Header.MAGIC, "0x54415048 (\"HPAT\")",
                    hex(magic));
        }
        int version = in.u16(TableLayout.Header.FORMAT_VERSION, HEADER, "format_version");
        if (version != HotPatchHeader.FORMAT_VERSION) {
            throw new PatchFormatException(HEADER, "format_version", TableLayout.Header.FORMAT_VERSION,
                    "1 (the only version this reader knows)", String.valueOf(version));
        }
        int headerSize = in.u16(TableLayout.Header.HEADER_SIZE, HEADER, "header_size");
        if (headerSize != HotPatchHeader.HEADER_SIZE) {
            throw new PatchFormatException(HEADER, "header_size", TableLayout.Header.HEADER_SIZE,
                    "64 (format version 1)", hex(headerSize));
        }
        long size = in.u32(TableLayout.Header.SIZE, HEADER, "size");
        if (size < headerSize + TableLayout.Base.LENGTH || size > in.length()) {
            throw new PatchFormatException(HEADER, "size", TableLayout.Header.SIZE,
                    "0x80 (header and base) to 0x" + Long.toHexString(in.length()) + " (the bytes there are)",
                    hex(size));
        }
        int flags = (int) in.u32(TableLayout.Header.FLAGS, HEADER, "flags");
        int machineBits = flags & HotPatchHeader.MACHINE_MASK;
        if ((flags & ~HotPatchHeader.KNOWN_FLAGS) != 0 || Integer.bitCount(machineBits) != 1) {
            throw new PatchFormatException(HEADER, "flags", TableLayout.Header.FLAGS,
                    "only the bits 0x3f, with exactly one of MACHINE_I386 0x4, MACHINE_ARM64 0x8, MACHINE_AMD64 0x10",
                    hex(Integer.toUnsignedLong(flags)));
        }
        long sequence = in.u32(TableLayout.Header.SEQUENCE_NUMBER, HEADER, "sequence_number");
        if (sequence < 1) {
            throw new PatchFormatException(HEADER, "sequence_number", TableLayout.Header.SEQUENCE_NUMBER,
                    "at least 1", "0");
        }
        long minSequence = in.u32(TableLayout.Header.MIN_SEQUENCE_NUMBER, HEADER, "min_sequence_number");
        if (minSequence > sequence) {
            throw new PatchFormatException(HEADER, "min_sequence_number", TableLayout.Header.MIN_SEQUENCE_NUMBER,
                    "at most the sequence number " + sequence, String.valueOf(minSequence));
        }
        if (!in.zero(TableLayout.Header.RESERVED, TableLayout.Header.RESERVED_LENGTH, HEADER, "reserved")) {
            throw new PatchFormatException(HEADER, "reserved", TableLayout.Header.RESERVED, "12 zero bytes",
                    "a non-zero byte");
        }
        long baseOffset = in.u32(TableLayout.Header.BASE_OFFSET, HEADER, "base_offset");
        long functionOffset = in.u32(TableLayout.Header.FUNCTION_OFFSET, HEADER, "function_offset");
        long functionCount = in.u32(TableLayout.Header.FUNCTION_COUNT, HEADER, "function_count");
        long fixupOffset = in.u32(TableLayout.Header.FIXUP_OFFSET, HEADER, "fixup_offset");
        long fixupCount = in.u32(TableLayout.Header.FIXUP_COUNT, HEADER, "fixup_count");
        long stringOffset = in.u32(TableLayout.Header.STRING_OFFSET, HEADER, "string_offset");
        long stringSize = in.u32(TableLayout.Header.STRING_SIZE, HEADER, "string_size");

        Table[] tables = {
            table("base", TableLayout.Header.BASE_OFFSET, baseOffset, -1, 1, TableLayout.Base.LENGTH, 1, size),
            table("function", TableLayout.Header.FUNCTION_OFFSET, functionOffset, TableLayout.Header.FUNCTION_COUNT,
                    functionCount, TableLayout.Function.LENGTH, PatchLimits.MAX_FUNCTIONS, size),
            table("fixup", TableLayout.Header.FIXUP_OFFSET, fixupOffset, TableLayout.Header.FIXUP_COUNT,
                    fixupCount, TableLayout.Fixup.LENGTH, PatchLimits.MAX_FIXUPS, size),
            table("string", TableLayout.Header.STRING_OFFSET, stringOffset, TableLayout.Header.STRING_SIZE,
                    stringSize, 1, Long.MAX_VALUE, size),
        };
        if (stringSize < 1) {
            throw new PatchFormatException(HEADER, "string_size", TableLayout.Header.STRING_SIZE,
                    "at least 1 (the NUL of the empty string at offset 0)", "0");
        }
        noOverlap(tables, headerSize);
        return new Layout(size, sequence, minSequence, flags, baseOffset, functionOffset, functionCount,
                fixupOffset, fixupCount, stringOffset, stringSize);
    }

    /** One table's place: [offset, offset + length). */
    private record Table(String name, int offsetField, long offset, long length) {}

    private static Table table(String name, int offsetField, long offset, int countField, long count,
                               int recordLength, long limit, long size) throws PatchFormatException {
        String offsetName = name + "_offset";
        if (recordLength > 1 && offset % TableLayout.TABLE_ALIGNMENT != 0) {
            throw new PatchFormatException(HEADER, offsetName, offsetField, "a multiple of 4", hex(offset));
        }
        if (offset > size) {
            throw new PatchFormatException(HEADER, offsetName, offsetField,
                    "an offset inside the tables (at most Size, 0x" + Long.toHexString(size) + ")", hex(offset));
        }
        String countName = countField < 0 ? offsetName : name.equals("string") ? "string_size" : name + "_count";
        int field = countField < 0 ? offsetField : countField;
        if (count > limit) {
            throw new PatchFormatException(HEADER, countName, field, "at most " + limit, String.valueOf(count));
        }
        if (count * recordLength > size - offset) {
            throw new PatchFormatException(HEADER, countName, field,
                    "a table that ends inside the tables (at most Size, 0x" + Long.toHexString(size) + ")",
                    count + (recordLength > 1 ? " records of " + recordLength + " bytes" : " bytes") + " from "
                            + hex(offset) + ", ending at " + hex(offset + count * recordLength));
        }
        return new Table(name, offsetField, offset, count * recordLength);
    }

    /** Non-empty tables lie after the header and do not overlap one another. */
    private static void noOverlap(Table[] tables, int headerSize) throws PatchFormatException {
        Table[] sorted = Arrays.stream(tables).filter(t -> t.length > 0)
                .sorted((a, b) -> Long.compare(a.offset, b.offset)).toArray(Table[]::new);
        long end = headerSize;
        String previous = "header";
        for (Table t : sorted) {
            if (t.offset < end) {
                throw new PatchFormatException(HEADER, t.name + "_offset", t.offsetField,
                        "a table that does not overlap the " + previous + " table (which ends at " + hex(end) + ")",
                        hex(t.offset));
            }
            end = t.offset + t.length;
            previous = t.name;
        }
    }

    private static StringTable strings(TableInput in, Layout layout) throws PatchFormatException {
        if (in.u8(layout.stringOffset, STRINGS, "empty_string") != 0) {
            throw new PatchFormatException(STRINGS, "empty_string", layout.stringOffset,
                    "0 (the NUL of the empty string at offset 0)", "a non-zero byte");
        }
        return new StringTable(in.slice(layout.stringOffset, layout.stringSize, STRINGS, "string_size"),
                layout.stringOffset);
    }

    private static HotPatchBase base(TableInput in, Layout layout, StringTable strings) throws PatchFormatException {
        long at = layout.baseOffset;
        long timeDateStamp = in.u32(at + TableLayout.Base.ORIGINAL_TIME_DATE_STAMP, BASE, "original_time_date_stamp");
        long checkSum = in.u32(at + TableLayout.Base.ORIGINAL_CHECK_SUM, BASE, "original_check_sum");
        long sizeOfImage = in.u32(at + TableLayout.Base.ORIGINAL_SIZE_OF_IMAGE, BASE, "original_size_of_image");
        int machine = in.u16(at + TableLayout.Base.MACHINE, BASE, "machine");
        int machineFlag = layout.flags & HotPatchHeader.MACHINE_MASK;
        if (HotPatchHeader.machineFlag(machine) != machineFlag) {
            throw new PatchFormatException(BASE, "machine", at + TableLayout.Base.MACHINE,
                    "the machine the header's flags name (" + machineName(machineFlag) + ")", hex(machine));
        }
        if (in.u16(at + TableLayout.Base.RESERVED_1, BASE, "reserved") != 0) {
            throw new PatchFormatException(BASE, "reserved", at + TableLayout.Base.RESERVED_1, "0", "a non-zero value");
        }
        if (!in.zero(at + TableLayout.Base.RESERVED_2, TableLayout.Base.RESERVED_2_LENGTH, BASE, "reserved")) {
            throw new PatchFormatException(BASE, "reserved", at + TableLayout.Base.RESERVED_2, "12 zero bytes",
                    "a non-zero byte");
        }
        byte[] sha256 = in.copy(at + TableLayout.Base.SHA256, HotPatchBase.SHA256_LENGTH, BASE, "sha256");
        long nameOffset = in.u32(at + TableLayout.Base.NAME_OFFSET, BASE, "name_offset");
        String name = strings.at(nameOffset, BASE, "name_offset", at + TableLayout.Base.NAME_OFFSET);
        return new HotPatchBase(timeDateStamp, checkSum, sizeOfImage, machine, sha256, name);
    }

    private static String machineName(int machineFlag) {
        return switch (machineFlag) {
            case HotPatchHeader.MACHINE_I386 -> "0x14c, x86";
            case HotPatchHeader.MACHINE_AMD64 -> "0x8664, x64";
            default -> "0xaa64, ARM64";
        };
    }
}
