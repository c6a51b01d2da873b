package dev.hotpatch.packager.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The string table as the reader sees it. A NameOffset must point at the start of a string (offset 0, or just
 * after a NUL) and the string must end with a NUL inside the table, so strings never overlap: each is decoded
 * once and all of them together cost at most the table's size.
 */
final class StringTable {
    private final ByteBuffer table;
    private final long tableOffset;
    private final Map<Long, String> decoded = new HashMap<>();

    StringTable(ByteBuffer table, long tableOffset) {
        this.table = table;
        this.tableOffset = tableOffset;
    }

    String at(long nameOffset, String structure, String field, long fieldOffset) throws PatchFormatException {
        long size = table.remaining();
        if (nameOffset >= size) {
            throw new PatchFormatException(structure, field, fieldOffset,
                    "an offset inside the string table (below 0x" + Long.toHexString(size) + ")",
                    Fields.hex(nameOffset));
        }
        String known = decoded.get(nameOffset);
        if (known != null) {
            return known;
        }
        int start = (int) nameOffset;
        if (start > 0 && table.get(start - 1) != 0) {
            throw new PatchFormatException(structure, field, fieldOffset,
                    "the start of a string (offset 0, or just after a NUL)",
                    Fields.hex(nameOffset) + ", inside the string at table offset 0x"
                            + Long.toHexString(tableOffset + start - 1));
        }
        int end = start;
        while (end < size && table.get(end) != 0) {
            end++;
        }
        if (end == size) {
            throw new PatchFormatException(structure, field, fieldOffset,
                    "a string that ends with a NUL inside the string table (which ends at 0x"
                            + Long.toHexString(tableOffset + size) + ")",
                    "no NUL after " + Fields.hex(nameOffset));
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(table.slice(start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw new PatchFormatException(structure, field, fieldOffset, "a UTF-8 string",
                    "bytes that are not UTF-8 at table offset 0x" + Long.toHexString(tableOffset + start));
        }
        decoded.put(nameOffset, s);
        return s;
    }
}
