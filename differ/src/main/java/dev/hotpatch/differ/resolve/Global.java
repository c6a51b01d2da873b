package dev.hotpatch.differ.resolve;

/**
 * A global variable of an image: writable data, named by a symbol or, when none names it, known by the
 * address code refers to (and matched through that code).
 *
 * @param index  its index in the image's global table
 * @param rva    where it starts
 * @param size   its size: from the PDB's type, else the distance to the next symbol (or, for an anonymous
 *               global, to the next address anything refers to, at most 64 bytes)
 * @param name   the symbol, or null
 * @param exactSize true when the size comes from a type (PDB), not from the distance to the next symbol
 * @param neighbours for a size from distance, the names of the data symbols before and after it (the size is
 *                  only comparable when both neighbours are the same), or null
 */
public record Global(int index, long rva, long size, String name, boolean exactSize, String neighbours) {
    /** True when a symbol bounds it (named), false for an anonymous global's guessed extent. */
    public boolean sizeKnown() {
        return name != null;
    }

    public String displayName() {
        return name != null ? dev.hotpatch.differ.functions.Names.sourceName(name) : String.format("data_%x", rva);
    }
}
