package dev.hotpatch.pdb;

/**
 * A public symbol (S_PUB32) from the symbol record stream: the linker's external names, decorated.
 *
 * @param name     the decorated (mangled) name, such as {@code ?area@Triangle@@UEBAHH@Z}
 * @param segment  1-based section index
 * @param offset   offset in that section
 * @param rva      the section's VirtualAddress plus offset, or -1 when the segment is 0 or not a section
 * @param function true when the record's function flag (2) is set
 */
public record PdbPublic(String name, int segment, long offset, long rva, boolean function) {}
