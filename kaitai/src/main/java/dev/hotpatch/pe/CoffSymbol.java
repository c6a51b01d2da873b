package dev.hotpatch.pe;

/**
 * One record of the COFF symbol table (its auxiliary records are counted, not decoded).
 *
 * @param index              the record's index in the table (aux records count, as in object-file relocations)
 * @param name               the name, from the record or the string table
 * @param nameOffset         the name's offset in the string table, or -1 for a short name held in the record
 * @param value              Value: for a symbol in a section, its offset from the section's start
 * @param sectionNumber      1-based section index; 0 undefined, -1 absolute, -2 debug
 * @param type               Type: 0x20 for a function
 * @param storageClass       StorageClass, such as {@link #EXTERNAL}
 * @param numberOfAuxSymbols auxiliary records that follow this one
 * @param rva                the section's RVA plus the value for a symbol in a section, else -1
 */
public record CoffSymbol(int index, String name, long nameOffset, long value, int sectionNumber, int type,
                         int storageClass, int numberOfAuxSymbols, long rva) {

    public static final int EXTERNAL = 2;
    public static final int STATIC = 3;
    public static final int LABEL = 6;
    public static final int FUNCTION = 101;
    public static final int FILE = 103;
    /** Complex type "function" in bits 4-5 of Type. */
    public static final int DTYPE_FUNCTION = 2;

    /** True for a function symbol (complex type function), such as mingw's {@code main} (type 0x20). */
    public boolean isFunction() {
        return (type >> 4 & 0x3) == DTYPE_FUNCTION;
    }

    public boolean isLabel() {
        return storageClass == LABEL;
    }

    public boolean hasRva() {
        return rva >= 0;
    }
}
