package dev.hotpatch.pdb;

/**
 * Named limits every count and size read from a PDB is checked against before it is used, besides the file's
 * length. Streams are never copied whole: the reader copies one structure or record at a time out of the mapped
 * file, so memory stays bounded by these limits and by what the file really holds, whatever sizes it claims.
 */
public final class PdbLimits {
    private PdbLimits() {}

    /** Smallest MSF block size (a power of two, as are all valid sizes). */
    public static final int MIN_BLOCK_SIZE = 512;
    /** Largest MSF block size we read; MSVC and lld-link write 4096 unless told otherwise. */
    public static final int MAX_BLOCK_SIZE = 32768;
    /**
     * Largest stream directory we copy into the heap: with 4 KB blocks a 2 GB PDB needs about 2 MB. The MSF 7.0
     * block map also caps it at block_size * block_size / 4.
     */
    public static final int MAX_DIRECTORY_SIZE = 1 << 22;
    /** Most streams: the DBI stream names streams by u2 index. */
    public static final int MAX_STREAMS = 1 << 16;
    /** Most modules (compilands) in the DBI module info substream; their indices are u2. */
    public static final int MAX_MODULES = 1 << 16;
    /** Most bytes of one DBI module info entry: its 64 fixed bytes and two names of at most 4096 bytes each. */
    public static final int MAX_MODULE_INFO_SIZE = 64 + 2 * (dev.hotpatch.pe.Limits.MAX_NAME_LENGTH + 1);
    /** Most entries of the DBI optional debug header read (11 are defined; entry 5 is all we use). */
    public static final int MAX_DEBUG_HEADER_STREAMS = 256;
    /**
     * Most procedures, data symbols or publics (each list) kept from one PDB. Programs of 80 MB have a few
     * hundred thousand of each; at this limit each list takes a few hundred MB, so real files stay far below.
     */
    public static final int MAX_SYMBOLS = 1 << 22;
    /**
     * Most type records in the TPI stream: the reader keeps a 4-byte offset per type (64 MB at this limit). Large
     * C++ programs have a few million.
     */
    public static final int MAX_TYPES = 1 << 24;
    /** Most LF_MODIFIER / LF_ENUM links followed to find a type's size (type records only point backwards). */
    public static final int MAX_TYPE_CHAIN = 64;
}
