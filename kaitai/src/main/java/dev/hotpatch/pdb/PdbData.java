package dev.hotpatch.pdb;

/**
 * A data symbol (S_GDATA32, S_LDATA32, S_GTHREAD32, S_LTHREAD32) from a module's symbol stream or the symbol
 * record stream (the same symbol found in both is listed once, with its module).
 *
 * @param name        the name as the compiler wrote it
 * @param segment     1-based section index; 0 when the symbol has no address
 * @param offset      offset in that section (for thread-local data: in the TLS template section)
 * @param rva         the section's VirtualAddress plus offset, or -1 when the segment is 0 or not a section
 * @param typeIndex   the TPI type index of its type (below 0x1000: a primitive type)
 * @param size        the size of its type in bytes, from the TPI stream, or -1 when unknown
 * @param global      true for S_GDATA32 / S_GTHREAD32 (external linkage)
 * @param threadLocal true for S_GTHREAD32 / S_LTHREAD32
 * @param module      the module (compiland) name, or "" when the symbol is only in the symbol record stream
 */
public record PdbData(String name, int segment, long offset, long rva, int typeIndex, long size, boolean global,
                      boolean threadLocal, String module) {
    /** The size when the type's size is not known. */
    public static final long UNKNOWN_SIZE = -1;
}
