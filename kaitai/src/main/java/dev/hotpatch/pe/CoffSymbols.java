package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.CoffSymbolTable;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * The COFF symbol table of an image (mingw images keep one; PointerToSymbolTable 0 means none). Symbols are
 * decoded from the mapped file when asked for, so that a table of a million records costs an int array, not
 * a million objects; the reader has checked every record already. The index by RVA behind {@link #at} and
 * {@link #functionAtOrBefore} is built on their first use. Immutable (the index is computed, not changed).
 */
public final class CoffSymbols {
    static final int RECORD_SIZE = 18;   // IMAGE_SYMBOL and every auxiliary record

    private static final CoffSymbols EMPTY = new CoffSymbols(null, 0, 0, new int[0], 0, 0, new long[0], 0);

    private final ImageBytes bytes;
    private final long tableOffset;
    private final long stringTableOffset;
    private final int[] recordOfSymbol;
    private final int count;
    private final int auxRecords;
    private final long[] sectionRvas;
    private final long sizeOfImage;
    private final List<CoffSymbol> list = new Symbols();
    private volatile ByRva byRva;   // built on first use; a race builds it twice, to the same content

    /**
     * The symbols that have an RVA inside the image (in a section the image has, at most SizeOfImage), and the
     * function and label symbols among them, each as RVAs ascending (unsigned) with the symbol index of each.
     */
    private record ByRva(int[] rvaSorted, int[] symbolByRva, int[] functionRvaSorted, int[] functionByRva) {}

    CoffSymbols(ImageBytes bytes, long tableOffset, long stringTableOffset, int[] recordOfSymbol, int count,
                int auxRecords, long[] sectionRvas, long sizeOfImage) {
        this.bytes = bytes;
        this.tableOffset = tableOffset;
        this.stringTableOffset = stringTableOffset;
        this.recordOfSymbol = recordOfSymbol;
        this.count = count;
        this.auxRecords = auxRecords;
        this.sectionRvas = sectionRvas;
        this.sizeOfImage = sizeOfImage;
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
        CoffSymbolTable.SymbolRecord r = recordAt(record);
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
        return new CoffSymbol(record, name, nameOffset, r.value(), r.sectionNumber(), r.type(), r.storageClass(),
                r.numAuxSymbols(), rva(r));
    }

    private CoffSymbolTable.SymbolRecord recordAt(int record) {
        long offset = tableOffset + (long) record * RECORD_SIZE;
        return new CoffSymbolTable.SymbolRecord(bytes.stream(offset, RECORD_SIZE));
    }

    /** The section's RVA plus the value for a symbol in a section the image has, else -1. */
    private long rva(CoffSymbolTable.SymbolRecord r) {
        int section = r.sectionNumber();
        return section > 0 && section <= sectionRvas.length ? sectionRvas[section - 1] + r.value() : -1;
    }

    /** Every symbol in table order, decoded on access. */
    public List<CoffSymbol> list() {
        return list;
    }

    /** The symbols whose RVA is exactly {@code rva}, in table order. */
    public List<CoffSymbol> at(long rva) {
        ByRva index = byRva();
        List<CoffSymbol> out = new ArrayList<>();
        for (int i = lowerBound(index.rvaSorted(), rva); i < index.rvaSorted().length
                && Integer.toUnsignedLong(index.rvaSorted()[i]) == rva; i++) {
            out.add(get(index.symbolByRva()[i]));
        }
        return out;
    }

    /** The function or label symbol with the highest RVA at or below {@code rva}: the one that holds it. */
    public Optional<CoffSymbol> functionAtOrBefore(long rva) {
        ByRva index = byRva();
        int i = lowerBound(index.functionRvaSorted(), rva + 1) - 1;
        return i < 0 ? Optional.empty() : Optional.of(get(index.functionByRva()[i]));
    }

    private ByRva byRva() {
        ByRva index = byRva;
        if (index == null) {
            index = buildByRva();
            byRva = index;
        }
        return index;
    }

    /** Decodes every record once (no names) and sorts the symbols with an RVA inside the image by it. */
    private ByRva buildByRva() {
        long[] all = new long[count];         // rva << 32 | symbol index
        long[] functions = new long[count];
        int withRva = 0;
        int numFunctions = 0;
        for (int symbol = 0; symbol < count; symbol++) {
            CoffSymbolTable.SymbolRecord r = recordAt(recordOfSymbol[symbol]);
            long rva = rva(r);
            if (rva < 0 || rva > sizeOfImage) {
                continue;   // the reader warned about these: no section, or past SizeOfImage
            }
            all[withRva++] = rva << 32 | symbol;
            if ((r.type() >> 4 & 0x3) == CoffSymbol.DTYPE_FUNCTION || r.storageClass() == CoffSymbol.LABEL) {
                functions[numFunctions++] = rva << 32 | symbol;
            }
        }
        long[] sorted = sortedUnsigned(all, withRva);
        long[] sortedFunctions = sortedUnsigned(functions, numFunctions);
        return new ByRva(high(sorted), low(sorted), high(sortedFunctions), low(sortedFunctions));
    }

    /** The first {@code n} keys in unsigned order (an RVA of 2 GB or more sets the top bit of its key). */
    private static long[] sortedUnsigned(long[] keys, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = keys[i] ^ Long.MIN_VALUE;
        }
        Arrays.sort(out);
        for (int i = 0; i < n; i++) {
            out[i] ^= Long.MIN_VALUE;
        }
        return out;
    }

    private static int[] high(long[] keys) {
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = (int) (keys[i] >>> 32);
        }
        return out;
    }

    private static int[] low(long[] keys) {
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
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
