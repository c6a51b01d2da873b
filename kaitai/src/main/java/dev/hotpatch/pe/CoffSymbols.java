package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.CoffSymbolTable;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * The COFF symbol table of an image (mingw images keep one; PointerToSymbolTable 0 means none). Symbols are
 * decoded from the mapped file when asked for, so that a table of a million records costs a few int arrays, not
 * a million objects; the reader has checked every record already. Immutable.
 */
public final class CoffSymbols {
    static final int RECORD_SIZE = 18;   // IMAGE_SYMBOL and every auxiliary record

    private static final CoffSymbols EMPTY = new CoffSymbols(null, 0, 0, new int[0], 0, 0, new long[0],
            new int[0], new int[0], new int[0], new int[0]);

    private final ImageBytes bytes;
    private final long tableOffset;
    private final long stringTableOffset;
    private final int[] recordOfSymbol;
    private final int count;
    private final int auxRecords;
    private final long[] sectionRvas;
    private final int[] rvaSorted;        // RVAs of the symbols that have one, ascending (unsigned)
    private final int[] symbolByRva;      // the symbol index for each of them
    private final int[] functionRvaSorted;
    private final int[] functionByRva;
    private final List<CoffSymbol> list = new Symbols();

    CoffSymbols(ImageBytes bytes, long tableOffset, long stringTableOffset, int[] recordOfSymbol, int count,
                int auxRecords, long[] sectionRvas, int[] rvaSorted, int[] symbolByRva, int[] functionRvaSorted,
                int[] functionByRva) {
        this.bytes = bytes;
        this.tableOffset = tableOffset;
        this.stringTableOffset = stringTableOffset;
        this.recordOfSymbol = recordOfSymbol;
        this.count = count;
        this.auxRecords = auxRecords;
        this.sectionRvas = sectionRvas;
        this.rvaSorted = rvaSorted;
        this.symbolByRva = symbolByRva;
        this.functionRvaSorted = functionRvaSorted;
        this.functionByRva = functionByRva;
    }

    /** No symbol table. */
    public static CoffSymbols empty() {
        return EMPTY;
    }

    /** Number of symbols (auxiliary records excluded). */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Auxiliary records, skipped. */
    public int auxRecordCount() {
        return auxRecords;
    }

    /** Symbol {@code i} (0-based among symbols, aux records not counted). */
    public CoffSymbol get(int i) {
        int record = recordOfSymbol[Objects.checkIndex(i, count)];
        long offset = tableOffset + (long) record * RECORD_SIZE;
        CoffSymbolTable.SymbolRecord r = new CoffSymbolTable.SymbolRecord(bytes.stream(offset, RECORD_SIZE));
        String name;
        long nameOffset = -1;
        if (r.name().isLongName()) {
            nameOffset = r.name().ofsLongName();
            try {
                name = bytes.cString(stringTableOffset + nameOffset, "coff_symbol[" + record + "]", "ofs_long_name",
                        -1);
            } catch (PeFormatException e) {
                throw new IllegalStateException("the reader checked this name: " + e.getMessage(), e);
            }
        } else {
            name = r.name().shortName();
        }
        int section = r.sectionNumber();
        long rva = section > 0 && section <= sectionRvas.length ? sectionRvas[section - 1] + r.value() : -1;
        return new CoffSymbol(record, name, nameOffset, r.value(), section, r.type(), r.storageClass(),
                r.numAuxSymbols(), rva);
    }

    /** Every symbol in table order, decoded on access. */
    public List<CoffSymbol> list() {
        return list;
    }

    /** The symbols whose RVA is exactly {@code rva}, in table order. */
    public List<CoffSymbol> at(long rva) {
        List<CoffSymbol> out = new ArrayList<>();
        for (int i = lowerBound(rvaSorted, rva); i < rvaSorted.length
                && Integer.toUnsignedLong(rvaSorted[i]) == rva; i++) {
            out.add(get(symbolByRva[i]));
        }
        return out;
    }

    /** The function or label symbol with the highest RVA at or below {@code rva}: the one that holds it. */
    public Optional<CoffSymbol> functionAtOrBefore(long rva) {
        int i = lowerBound(functionRvaSorted, rva + 1) - 1;
        return i < 0 ? Optional.empty() : Optional.of(get(functionByRva[i]));
    }

    private static int lowerBound(int[] sorted, long rva) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.toUnsignedLong(sorted[mid]) < rva) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private final class Symbols extends AbstractList<CoffSymbol> implements RandomAccess {
        @Override
        public CoffSymbol get(int index) {
            return CoffSymbols.this.get(index);
        }

        @Override
        public int size() {
            return count;
        }
    }
}
