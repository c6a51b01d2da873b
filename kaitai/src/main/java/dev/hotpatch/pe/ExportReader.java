package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.ExportDirectory;
import dev.hotpatch.kaitai.layout.bulk.ExportDirectory.AddressTable;
import dev.hotpatch.kaitai.layout.bulk.ExportDirectory.NamePointerTable;
import dev.hotpatch.kaitai.layout.bulk.ExportDirectory.OrdinalTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;

/**
 * Reads the export directory: the DLL name, and every export with its ordinal, name, RVA and forwarder. The
 * three tables are parsed as arrays (with the bulk parsers, in runs) whose counts are checked against
 * {@link Limits#MAX_EXPORTS} and the file-backed bytes of the image first.
 */
final class ExportReader {
    private static final int DIRECTORY_SIZE = 40;   // IMAGE_EXPORT_DIRECTORY
    private static final int RVA_SIZE = 4;          // export address table and name pointer table entries
    private static final int ORDINAL_SIZE = 2;      // export ordinal table entries

    private final PeReader.Parts parts;
    private final NameReader names;

    ExportReader(PeReader.Parts parts) {
        this.parts = parts;
        this.names = new NameReader(parts, "export directory");
    }

    Optional<ExportTable> read() throws PeFormatException {
        Optional<DataDirectory> found = DirectoryEntries.find(parts, DirectoryKind.EXPORT);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DataDirectory dir = found.get();
        long offset = parts.addressMap.requireFileOffset(dir.address(), DIRECTORY_SIZE,
                DirectoryEntries.structure(DirectoryKind.EXPORT), "rva",
                () -> DirectoryEntries.fieldOffset(parts, DirectoryKind.EXPORT, "rva"));
        ExportDirectory ed = KaitaiParse.parse(parts.bytes, "export_directory", offset, DIRECTORY_SIZE,
                ExportDirectory::new);
        Checks.atMost(ed.numFunctions(), Limits.MAX_EXPORTS, "MAX_EXPORTS", "export_directory", "num_functions",
                () -> fieldOffset(ed, "num_functions", offset));
        Checks.atMost(ed.numNames(), Limits.MAX_EXPORTS, "MAX_EXPORTS", "export_directory", "num_names",
                () -> fieldOffset(ed, "num_names", offset));
        int numFunctions = (int) ed.numFunctions();
        int numNames = (int) ed.numNames();

        long functionsOffset = tableOffset(ed, offset, "rva_functions", ed.rvaFunctions(), numFunctions, RVA_SIZE);
        int[] functionRvas = new int[numFunctions];
        Runs.parse(parts.bytes, "export_address_table", functionsOffset, numFunctions, RVA_SIZE,
                AddressTable::new, (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        functionRvas[(int) first + j] = run.rvas().get(j).intValue();
                    }
                });
        long namesOffset = tableOffset(ed, offset, "rva_names", ed.rvaNames(), numNames, RVA_SIZE);
        int[] nameRvas = new int[numNames];
        Runs.parse(parts.bytes, "export_name_pointer_table", namesOffset, numNames, RVA_SIZE,
                NamePointerTable::new, (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        nameRvas[(int) first + j] = run.rvaNames().get(j).intValue();
                    }
                });
        long ordinalsOffset = tableOffset(ed, offset, "rva_name_ordinals", ed.rvaNameOrdinals(), numNames,
                ORDINAL_SIZE);
        long[] slotAndName = new long[numNames];   // export address table index << 32 | name index
        Runs.parse(parts.bytes, "export_ordinal_table", ordinalsOffset, numNames, ORDINAL_SIZE,
                OrdinalTable::new, (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        int slot = run.ordinals().get(j);
                        long index = first + j;
                        if (slot >= numFunctions) {
                            throw new PeFormatException("export_ordinal_table", "ordinals[" + index + "]",
                                    runOffset + (long) j * ORDINAL_SIZE,
                                    "an index below num_functions (" + numFunctions + ")", String.valueOf(slot));
                        }
                        slotAndName[(int) index] = (long) slot << 32 | index;
                    }
                });
        Arrays.sort(slotAndName);

        List<ExportEntry> entries = entries(dir, ed.ordinalBase(), functionRvas, functionsOffset, nameRvas,
                namesOffset, slotAndName);
        return Optional.of(new ExportTable(dllName(ed, offset), ed.ordinalBase(), ed.timeDateStamp(),
                ed.majorVersion(), ed.minorVersion(), entries));
    }

    private String dllName(ExportDirectory ed, long offset) throws PeFormatException {
        if (ed.rvaName() == 0) {
            parts.warnings.add("export_directory.rva_name is 0: the DLL names itself nowhere in its exports");
            return "";
        }
        return names.atRva(ed.rvaName(), "export_directory", "rva_name", fieldOffset(ed, "rva_name", offset));
    }

    /** File offset of a table of {@code count} entries at {@code rva}, checked to be backed by the file. */
    private long tableOffset(ExportDirectory ed, long offset, String field, long rva, int count, int entrySize)
            throws PeFormatException {
        if (count == 0) {
            return -1;
        }
        return parts.addressMap.requireFileOffset(rva, (long) count * entrySize, "export_directory", field,
                () -> fieldOffset(ed, field, offset));
    }

    private List<ExportEntry> entries(DataDirectory dir, long ordinalBase, int[] functionRvas, long functionsOffset,
                                      int[] nameRvas, long namesOffset, long[] slotAndName) throws PeFormatException {
        List<ExportEntry> entries = new ArrayList<>(Math.max(functionRvas.length, nameRvas.length));
        int k = 0;
        for (int slot = 0; slot < functionRvas.length; slot++) {
            long rva = Integer.toUnsignedLong(functionRvas[slot]);
            Optional<String> forwarder = Optional.empty();
            if (rva != 0 && rva >= dir.address() && rva - dir.address() < dir.size()) {
                forwarder = Optional.of(names.atRva(rva, "export_address_table", "rvas[" + slot + "]",
                        functionsOffset + (long) slot * RVA_SIZE));
            }
            boolean named = false;
            for (; k < slotAndName.length && (int) (slotAndName[k] >>> 32) == slot; k++) {
                int nameIndex = (int) slotAndName[k];
                String name = names.atRva(Integer.toUnsignedLong(nameRvas[nameIndex]), "export_name_pointer_table",
                        "rva_names[" + nameIndex + "]", namesOffset + (long) nameIndex * RVA_SIZE);
                entries.add(new ExportEntry(ordinalBase + slot, Optional.of(name), rva, forwarder));
                named = true;
            }
            if (!named && rva != 0) {
                entries.add(new ExportEntry(ordinalBase + slot, Optional.empty(), rva, forwarder));
            }
        }
        return entries;
    }
}
