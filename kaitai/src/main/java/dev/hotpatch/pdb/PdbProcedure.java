package dev.hotpatch.pdb;

/**
 * A procedure (S_GPROC32, S_LPROC32 or their _ID forms) from a module's symbol stream.
 *
 * @param name    the name as the compiler wrote it (undecorated, qualified for C++: {@code Triangle::area})
 * @param segment 1-based section index; 0 when the procedure has no address
 * @param offset  offset in that section
 * @param length  bytes of code (CodeSize)
 * @param rva     the section's VirtualAddress (from the PDB's section header stream) plus offset, or -1 when the
 *                segment is 0 or not a section of the image
 * @param module  the module (compiland) name from the DBI, such as {@code C:\src\lib.obj}
 * @param global  true for S_GPROC32 (external linkage), false for S_LPROC32 (static)
 */
public record PdbProcedure(String name, int segment, long offset, long length, long rva, String module,
                           boolean global) {}
