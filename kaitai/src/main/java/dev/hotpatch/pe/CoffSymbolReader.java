package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.CoffSymbolTable;

import java.util.Arrays;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the COFF symbol table and string table that PointerToSymbolTable points at. A table that lies (or whose
 * string table runs) past the end of the file is left out with a warning, since the loader never reads it; one
 * in the file must hold at most {@link Limits#MAX_COFF_SYMBOLS} records, every record's auxiliary count must stay
 * inside the table and every long name must be a terminated string inside the string table. The index of symbols
 * by RVA is left to {@link CoffSymbols}, which builds it on first use.
 */
final class CoffSymbolReader {
    private static final int STRING_TABLE_HEADER_SIZE = 4;   // coff_string_table.len_table
    private static final int NAME_SIZE = 8;                  // symbol_record.name

    private final PeReader.Parts parts;
    private final long sizeOfImage;
    private final long[] sectionRvas;
    private int[] recordOfSymbol;
    private int count;
    private int auxRecords;
    private int skip;
    private int badSections;
    private int outsideImage;
    private String firstOdd;

    CoffSymbolReader(PeReader.Parts parts) {
        this.parts = parts;
        this.sizeOfImage = parts.headers.optionalHeader().sizeOfImage();
        List<Section> sections = parts.headers.sections();
        this.sectionRvas = new long[sections.size()];
        for (Section s : sections) {
            sectionRvas[s.index()] = s.rva();
        }
    }

    CoffSymbols read() throws PeFormatException {
        FileHeader header = parts.headers.fileHeader();
        long tableOffset = header.symbolTableOffset();
        long numRecords = header.numberOfSymbols();
        if (tableOffset == 0) {
            if (numRecords != 0) {
                parts.warnings.add("coff_file_header.num_symbols is " + numRecords
                        + " but ofs_symbol_table is 0, so the image has no symbol table");
            }
            return CoffSymbols.empty();
        }
        long tableSize = numRecords * CoffSymbols.RECORD_SIZE;
        long stringsOffset = tableOffset + tableSize;
        if (!parts.bytes.inFile(tableOffset, tableSize + STRING_TABLE_HEADER_SIZE)) {
            ignored("coff_file_header.ofs_symbol_table " + hex(tableOffset) + " and num_symbols " + numRecords
                    + " put the symbol table past the end of the file (" + hex(parts.bytes.length()) + ")");
            return CoffSymbols.empty();
        }
        Checks.atMost(numRecords, Limits.MAX_COFF_SYMBOLS, "MAX_COFF_SYMBOLS", "coff_file_header", "num_symbols",
                () -> DirectoryEntries.fileHeaderFieldOffset(parts, "num_symbols"));
        CoffStringTable strings = stringTable(stringsOffset);
        if (strings == null) {
            return CoffSymbols.empty();
        }

        int n = (int) numRecords;
        recordOfSymbol = new int[n];
        Runs.parse(parts.bytes, "coff_symbol_table", tableOffset, n, CoffSymbols.RECORD_SIZE,
                CoffSymbolTable::new, (run, first, runCount, runOffset) -> {
                    for (int j = 0; j < runCount; j++) {
                        record(run.records().get(j), (int) first + j, n, runOffset, strings);
                    }
                });
        warnAboutOddities();
        return new CoffSymbols(parts.bytes, tableOffset, stringsOffset, Arrays.copyOf(recordOfSymbol, count), count,
                auxRecords, sectionRvas, sizeOfImage);
    }

    /** The string table after the symbols, or null (with a warning) when it runs past the end of the file. */
    private CoffStringTable stringTable(long offset) throws PeFormatException {
        dev.hotpatch.kaitai.layout.CoffSymbolTable.StringTableHeader header = KaitaiParse.parse(parts.bytes,
                "coff_string_table", offset, STRING_TABLE_HEADER_SIZE,
                dev.hotpatch.kaitai.layout.CoffSymbolTable.StringTableHeader::new);
        long size = header.lenTable();
        long firstName = KaitaiParse.fieldEnd(header, "len_table", 0);
        if (size >= firstName && !parts.bytes.inFile(offset, size)) {
            ignored("coff_string_table.len_table " + hex(size) + " at " + hex(offset)
                    + " runs past the end of the file (" + hex(parts.bytes.length()) + ")");
            return null;
        }
        if (size < firstName || size > Limits.MAX_STRING_TABLE_SIZE) {
            throw new PeFormatException("coff_string_table", "len_table", offset, "a size from " + firstName
                    + " (its own size field) to " + Limits.MAX_STRING_TABLE_SIZE + " (Limits.MAX_STRING_TABLE_SIZE)",
                    size + " (" + hex(size) + ")");
        }
        return new CoffStringTable(parts.bytes, offset, size, firstName);
    }

    /** A symbol table that is not in the file is left out: the loader never reads it. */
    private void ignored(String why) {
        parts.warnings.add(why + "; the loader ignores the COFF symbol table, and so the image is read without one");
    }

    private void record(CoffSymbolTable.SymbolRecord r, int index, int numRecords, long runOffset,
                        CoffStringTable strings) throws PeFormatException {
        if (skip > 0) {
            skip--;
            auxRecords++;
            return;
        }
        String structure = "coff_symbol[" + index + "]";
        long recordOffset = runOffset + (long) (index % Runs.RUN_LENGTH) * CoffSymbols.RECORD_SIZE;
        int aux = r.numAuxSymbols();
        if (aux > numRecords - index - 1) {
            throw new PeFormatException(structure, "num_aux_symbols", recordField(recordOffset, "num_aux_symbols"),
                    "at most " + (numRecords - index - 1) + " (the records left in the table)", String.valueOf(aux));
        }
        if (r.name().isLongName() && !strings.holdsName(r.name().ofsLongName())) {
            throw new PeFormatException(structure, "ofs_long_name", longNameOffset(recordOffset),
                    "the offset of a NUL-terminated name of at most " + Limits.MAX_NAME_LENGTH
                            + " bytes inside the string table", hex(r.name().ofsLongName()));
        }
        int symbol = count++;
        recordOfSymbol[symbol] = index;
        skip = aux;
        int section = r.sectionNumber();
        if (section <= 0) {
            return;
        }
        if (section > sectionRvas.length) {
            odd(badSections++ == 0 && outsideImage == 0, structure + " names section " + section);
            return;
        }
        long rva = sectionRvas[section - 1] + r.value();
        if (rva > sizeOfImage) {
            odd(outsideImage++ == 0 && badSections == 0, structure + " lies at RVA " + hex(rva));
        }
    }

    /** Where a field of the record at {@code recordOffset} is, found with the read-pos parser (for messages). */
    private long recordField(long recordOffset, String field) {
        return KaitaiParse.locate(parts.bytes, recordOffset, CoffSymbols.RECORD_SIZE,
                dev.hotpatch.kaitai.layout.CoffSymbolTable.SymbolRecord::new, field);
    }

    /** Where a record's ofs_long_name is: inside its name, which the read-pos parser reads from a substream. */
    private long longNameOffset(long recordOffset) {
        long name = recordField(recordOffset, "name");
        return KaitaiParse.locate(parts.bytes, name, NAME_SIZE,
                dev.hotpatch.kaitai.layout.CoffSymbolTable.SymbolName::new, "ofs_long_name");
    }

    private void odd(boolean first, String what) {
        if (first) {
            firstOdd = what;
        }
    }

    private void warnAboutOddities() {
        if (badSections + outsideImage > 0) {
            parts.warnings.add((badSections + outsideImage) + " COFF symbol(s) name a section the image does not "
                    + "have or lie past SizeOfImage (" + firstOdd + "); they have no RVA");
        }
    }
}
