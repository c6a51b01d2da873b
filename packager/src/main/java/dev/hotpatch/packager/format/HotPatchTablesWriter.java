package dev.hotpatch.packager.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Serialises {@link HotPatchTables} into the bytes of the .hpatch tables, deterministically (docs/format.md,
 * "Layout the writer produces"): HPATCH_HEADER, HPATCH_BASE, the function table, the fixup table (each function's
 * run in function order, then the data fixups) and the string table, one after another with no gaps; reserved
 * fields zero; the string table starts with a NUL and then holds each distinct non-empty name once, in first-use
 * order. The result is read back before it is returned, so the writer never emits tables the reader refuses.
 */
public final class HotPatchTablesWriter {
    private HotPatchTablesWriter() {}

    /**
     * The bytes of the tables.
     *
     * @throws IllegalArgumentException when the tables break a rule of the format (the message is the reader's)
     */
    public static byte[] write(HotPatchTables tables) {
        Map<String, Integer> nameOffsets = new HashMap<>();
        byte[] strings = stringTable(tables.strings(), nameOffsets);
        List<FunctionRecord> functions = tables.functions();
        List<FixupRecord> fixups = tables.fixupTable();

        long baseOffset = TableLayout.Header.LENGTH;
        long functionOffset = baseOffset + TableLayout.Base.LENGTH;
        long fixupOffset = functionOffset + (long) functions.size() * TableLayout.Function.LENGTH;
        long stringOffset = fixupOffset + (long) fixups.size() * TableLayout.Fixup.LENGTH;
        long size = stringOffset + strings.length;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the tables would take " + size + " bytes, more than 2 GB");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);

        HotPatchHeader h = tables.header();
        out.putInt(TableLayout.Header.MAGIC, HotPatchHeader.MAGIC);
        out.putShort(TableLayout.Header.FORMAT_VERSION, (short) HotPatchHeader.FORMAT_VERSION);
        out.putShort(TableLayout.Header.HEADER_SIZE, (short) HotPatchHeader.HEADER_SIZE);
        out.putInt(TableLayout.Header.SIZE, (int) size);
        out.putInt(TableLayout.Header.SEQUENCE_NUMBER, (int) h.sequenceNumber());
        out.putInt(TableLayout.Header.MIN_SEQUENCE_NUMBER, (int) h.minSequenceNumber());
        out.putInt(TableLayout.Header.FLAGS, h.flags());
        out.putInt(TableLayout.Header.BASE_OFFSET, (int) baseOffset);
        out.putInt(TableLayout.Header.FUNCTION_OFFSET, (int) functionOffset);
        out.putInt(TableLayout.Header.FUNCTION_COUNT, functions.size());
        out.putInt(TableLayout.Header.FIXUP_OFFSET, (int) fixupOffset);
        out.putInt(TableLayout.Header.FIXUP_COUNT, fixups.size());
        out.putInt(TableLayout.Header.STRING_OFFSET, (int) stringOffset);
        out.putInt(TableLayout.Header.STRING_SIZE, strings.length);

        HotPatchBase b = tables.base();
        int at = (int) baseOffset;
        out.putInt(at + TableLayout.Base.ORIGINAL_TIME_DATE_STAMP, (int) b.originalTimeDateStamp());
        out.putInt(at + TableLayout.Base.ORIGINAL_CHECK_SUM, (int) b.originalCheckSum());
        out.putInt(at + TableLayout.Base.ORIGINAL_SIZE_OF_IMAGE, (int) b.originalSizeOfImage());
        out.putShort(at + TableLayout.Base.MACHINE, (short) b.machine());
        out.put(at + TableLayout.Base.SHA256, b.sha256());
        out.putInt(at + TableLayout.Base.NAME_OFFSET, nameOffsets.get(b.name()));

        int firstFixup = 0;
        for (int i = 0; i < functions.size(); i++) {
            FunctionRecord f = functions.get(i);
            at = (int) functionOffset + i * TableLayout.Function.LENGTH;
            out.putInt(at + TableLayout.Function.BASE_RVA, (int) f.baseRva());
            out.putInt(at + TableLayout.Function.PATCH_RVA, (int) f.patchRva());
            out.putInt(at + TableLayout.Function.PATCH_SIZE, (int) f.patchSize());
            out.putInt(at + TableLayout.Function.FLAGS, f.flags());
            out.putInt(at + TableLayout.Function.SITE_RVA, (int) f.siteRva());
            out.put(at + TableLayout.Function.SITE_SIZE, (byte) f.siteSize());
            out.put(at + TableLayout.Function.ORIGINAL_BYTES, f.originalBytes());
            out.putInt(at + TableLayout.Function.FIRST_FIXUP, firstFixup);
            out.putInt(at + TableLayout.Function.FIXUP_COUNT, f.fixups().size());
            out.putInt(at + TableLayout.Function.NAME_OFFSET, nameOffsets.get(f.name()));
            firstFixup += f.fixups().size();
        }

        for (int i = 0; i < fixups.size(); i++) {
            FixupRecord x = fixups.get(i);
            at = (int) fixupOffset + i * TableLayout.Fixup.LENGTH;
            out.putInt(at + TableLayout.Fixup.SITE_RVA, (int) x.siteRva());
            out.put(at + TableLayout.Fixup.KIND, (byte) x.kind().code());
            out.put(at + TableLayout.Fixup.TAIL_OR_ACCESS_SHIFT, (byte) x.tailOrAccessShift());
            out.putShort(at + TableLayout.Fixup.PAIR_OFFSET, (short) x.pairOffset());
            out.putInt(at + TableLayout.Fixup.TARGET_RVA, (int) x.targetRva());
            out.putInt(at + TableLayout.Fixup.ADDEND, x.addend());
            out.putInt(at + TableLayout.Fixup.NAME_OFFSET, nameOffsets.get(x.name()));
        }

        out.put((int) stringOffset, strings);
        byte[] bytes = out.array();
        try {
            HotPatchTablesReader.read(bytes);
        } catch (PatchFormatException e) {
            throw new IllegalArgumentException("these tables break a rule of the patch format: " + e.getMessage(), e);
        }
        return bytes;
    }

    /** A NUL, then each string's UTF-8 bytes and a NUL; fills {@code offsets} (the empty string is at 0). */
    private static byte[] stringTable(List<String> strings, Map<String, Integer> offsets) {
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        table.write(0);
        offsets.put("", 0);
        for (String s : strings) {
            offsets.put(s, table.size());
            table.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            table.write(0);
        }
        return table.toByteArray();
    }
}
