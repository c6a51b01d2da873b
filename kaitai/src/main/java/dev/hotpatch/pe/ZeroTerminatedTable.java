package dev.hotpatch.pe;

import io.kaitai.struct.KaitaiStream;

import java.util.List;
import java.util.function.Predicate;

/**
 * Reads an array of fixed-size entries at an RVA that ends with a zero entry (import lookup tables, TLS
 * callbacks), in runs, up to a named limit. Entries in the zero-filled tail of a section read as zero, as the
 * loader sees them; an array that leaves the file-backed bytes of every section fails.
 */
final class ZeroTerminatedTable {
    /** Runs start this short and double, so that many short tables cost no more than their entries. */
    private static final int FIRST_RUN_LENGTH = 8;

    private ZeroTerminatedTable() {}

    @FunctionalInterface
    interface RunParser<T> {
        List<T> parse(KaitaiStream io, int count);
    }

    @FunctionalInterface
    interface EntryVisitor<T> {
        /** Called for each entry before the zero entry, with its index and file offset. */
        void visit(T entry, int index, long fileOffset) throws PeFormatException;
    }

    /**
     * Visits the entries before the zero entry and returns their count. {@code structure.field} at
     * {@code fieldOffset} is what pointed at the array; it is named when the array is malformed.
     */
    static <T> int read(PeReader.Parts parts, long rva, int entrySize, int limit, String limitName,
                        String structure, String field, long fieldOffset,
                        RunParser<T> parser, Predicate<T> isEnd, EntryVisitor<T> visitor) throws PeFormatException {
        AddressMap map = parts.addressMap;
        int index = 0;
        int runLength = FIRST_RUN_LENGTH;
        while (true) {
            long at = rva + (long) index * entrySize;
            int want = (int) Math.min(runLength, (long) limit + 1 - index);
            runLength = Math.min(runLength * 2, Runs.RUN_LENGTH);
            int backed = (int) (map.backedLength(at, (long) want * entrySize) / entrySize);   // whole entries
            if (backed == 0) {
                Section s = map.sectionAt(at);
                if (s != null && s.contains(at + entrySize - 1)) {
                    return index;   // the zero-filled part of a section: the loader reads the zero entry here
                }
                map.requireFileOffset(at, entrySize, structure, field, fieldOffset);   // throws
            }
            long offset = map.fileOffset(at, (long) backed * entrySize);
            List<T> run = KaitaiParse.parse(parts.bytes, structure, offset, (long) backed * entrySize,
                    io -> parser.parse(io, backed));
            for (int j = 0; j < backed; j++) {
                T entry = run.get(j);
                if (isEnd.test(entry)) {
                    return index;
                }
                if (index == limit) {
                    throw new PeFormatException(structure, field, fieldOffset, "an array ended by a zero entry "
                            + "within " + (limit + 1L) + " entries (Limits." + limitName + ")",
                            "no zero entry by RVA " + KaitaiParse.hex(rva + (long) index * entrySize));
                }
                visitor.visit(entry, index, offset + (long) j * entrySize);
                index++;
            }
        }
    }
}
