package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.ImportDescriptor;
import dev.hotpatch.kaitai.layout.bulk.ImportDescriptor.HintNameEntry;
import dev.hotpatch.kaitai.layout.bulk.ImportDescriptor.Thunk;
import dev.hotpatch.kaitai.layout.bulk.ImportDescriptor.ThunkRun;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads an import lookup table (or a delay-load import name table) into imported functions with their IAT
 * slots, for one directory: it counts the directory's imports against {@link Limits#MAX_IMPORTS}.
 */
final class ThunkReader {
    private static final int HINT_SIZE = 2;   // hint_name_entry.hint, before the name

    private final PeReader.Parts parts;
    private final NameReader names;
    private final String directory;
    private final boolean pe32Plus;
    private final int thunkSize;
    private final Map<Long, ImportedFunction> byEntryOffset = new HashMap<>();   // thunks may share an entry
    private long total;

    ThunkReader(PeReader.Parts parts, NameReader names, String directory) {
        this.parts = parts;
        this.names = names;
        this.directory = directory;
        this.pe32Plus = parts.headers.optionalHeader().pe32Plus();
        this.thunkSize = pe32Plus ? 8 : 4;   // IMAGE_THUNK_DATA64 / IMAGE_THUNK_DATA32
    }

    /** What pointed at a thunk table: the descriptor (such as {@code import_descriptor[3]}) and its fields. */
    record Source(String structure, String tableField, long tableFieldOffset, long iatFieldOffset) {}

    /**
     * Reads the table at {@code tableRva}. {@code vaBias} is 0, or the image base for the old VA-based
     * delay-load form, whose hint/name addresses are VAs. Slot i of the import address table is at
     * {@code iatRva + i * thunkSize}.
     */
    List<ImportedFunction> read(long tableRva, long vaBias, long iatRva, Source source) throws PeFormatException {
        List<ImportedFunction> out = new ArrayList<>();
        int count = ZeroTerminatedTable.read(parts, tableRva, thunkSize, Limits.MAX_IMPORTS_PER_MODULE,
                "MAX_IMPORTS_PER_MODULE", source.structure(), source.tableField(), source.tableFieldOffset(),
                (io, n) -> new ThunkRun(io, n, pe32Plus).thunks(),
                Thunk::isEnd,
                (thunk, i, offset) -> out.add(function(thunk, i, offset, vaBias, iatRva, source)));
        total += count;
        if (total > Limits.MAX_IMPORTS) {
            throw new PeFormatException(source.structure(), source.tableField(), source.tableFieldOffset(),
                    "at most " + Limits.MAX_IMPORTS + " imports in the " + directory + " (Limits.MAX_IMPORTS)",
                    total + " so far");
        }
        long iatEnd = iatRva + (long) count * thunkSize;
        Section iatSection = parts.addressMap.sectionAt(iatRva);
        boolean inHeaders = iatSection == null && parts.addressMap.fileOffset(iatRva, iatEnd - iatRva) >= 0;
        if (count > 0 && !inHeaders && (iatSection == null || !iatSection.contains(iatEnd - 1))) {
            throw new PeFormatException(source.structure(), "rva_import_address_table", source.iatFieldOffset(),
                    "an import address table of " + count + " slots inside one section (or the headers)",
                    "RVA " + hex(iatRva) + ".." + hex(iatEnd) + (iatSection == null ? " outside every section"
                            : " leaving section " + iatSection.name()));
        }
        return out;
    }

    /** The file offset of a hint/name entry's name, found with the read-pos parser (for error messages). */
    private long nameOffset(long entryOffset, long window) {
        return KaitaiParse.locate(parts.bytes, entryOffset, window, ImportDescriptor.HintNameEntry::new, "name");
    }

    private ImportedFunction function(Thunk thunk, int index, long offset, long vaBias, long iatRva,
                                      Source source) throws PeFormatException {
        long slot = iatRva + (long) index * thunkSize;
        if (thunk.isOrdinal()) {
            return ImportedFunction.byOrdinal(thunk.ordinal(), slot);
        }
        String structure = source.structure() + ".thunk[" + index + "]";
        long hintNameRva = DelayImportReader.rva(thunk.rvaHintName(), vaBias);
        long entryOffset = parts.addressMap.requireFileOffset(hintNameRva, HINT_SIZE + 1, structure, "rva_hint_name",
                offset);
        ImportedFunction shared = byEntryOffset.get(entryOffset);
        if (shared != null) {
            return ImportedFunction.byName(shared.name().orElseThrow(), shared.hint(), slot);
        }
        String hintName = structure + ".hint_name_entry";
        long backed = names.backedBytes(hintNameRva);
        long window = Math.min(backed, (long) HINT_SIZE + Limits.MAX_NAME_LENGTH);
        HintNameEntry entry = KaitaiParse.parse(parts.bytes, hintName, entryOffset, window, HintNameEntry::new);
        long consumed = entry._io().pos();   // the hint, the name, and its NUL when there is one
        boolean terminated = consumed == HINT_SIZE + entry.name().length() + 1L;
        boolean endedByZeroFill = window == backed && names.zeroFilledAfter(hintNameRva + backed);
        if (!terminated && !endedByZeroFill) {
            throw new PeFormatException(hintName, "name", nameOffset(entryOffset, window),
                    "a NUL-terminated string of at most " + Limits.MAX_NAME_LENGTH + " bytes",
                    "no terminator before " + hex(entryOffset + window));
        }
        try {
            names.charge(entry.name().length() + 1, hintName, "name", -1);
        } catch (PeFormatException e) {
            throw new PeFormatException(e.structure(), e.field(), nameOffset(entryOffset, window),
                    e.expected(), e.actual());
        }
        ImportedFunction function = ImportedFunction.byName(entry.name(), entry.hint(), slot);
        byEntryOffset.put(entryOffset, function);
        return function;
    }
}
