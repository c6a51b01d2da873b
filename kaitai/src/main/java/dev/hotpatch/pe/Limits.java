package dev.hotpatch.pe;

/**
 * Named limits every count and size read from a file is checked against before it is used, so that memory and
 * time stay bounded whatever a file claims. Most counts are also bounded by the bytes that back them.
 */
public final class Limits {
    private Limits() {}

    /** Largest file we map: one ByteBuffer. PE images cannot exceed 4 GB and real ones stay far below. */
    public static final long MAX_FILE_SIZE = Integer.MAX_VALUE;
    /** The Windows loader reads at most 16 data directories, whatever NumberOfRvaAndSizes says. */
    public static final int MAX_DATA_DIRECTORIES = 16;
    /** NumberOfSections is a u2; Windows Vista and later accept up to 65535 sections. */
    public static final int MAX_SECTIONS = 65535;
    /** Headers are read from one page, as the loader maps them. */
    public static final int HEADER_PAGE = 0x1000;
    /** Longest name (export, import, DLL, symbol, PDB path) we read before calling it unterminated. */
    public static final int MAX_NAME_LENGTH = 4096;
    /**
     * Most export entries (AddressOfFunctions, and NumberOfNames) in one image. The largest real DLLs export
     * about 100,000; at this limit the export model takes about 30 MB.
     */
    public static final int MAX_EXPORTS = 1 << 18;
    /** Most import descriptors (DLLs) in one import or delay-import directory. */
    public static final int MAX_IMPORT_MODULES = 1 << 14;
    /** Most thunks (imported functions) from one DLL. */
    public static final int MAX_IMPORTS_PER_MODULE = 1 << 16;
    /**
     * Most base-relocation entries in one image: an 80 MB x86 image has about 2 million. The sites take 5 bytes
     * each (20 MB at this limit) and parse in about 0.15 s.
     */
    public static final int MAX_RELOCATIONS = 1 << 22;
    /**
     * Most .pdata entries in one image. An 80 MB image has about 190,000 and the largest real ones we know
     * (110 MB) about 325,000; at this limit the table and its unwind-info cache take about 40 MB and read in
     * well under 2 s.
     */
    public static final int MAX_RUNTIME_FUNCTIONS = 1 << 19;
    /** Most entries in the debug directory. */
    public static final int MAX_DEBUG_ENTRIES = 256;
    /** Most entries in the certificate table. */
    public static final int MAX_CERTIFICATES = 64;
    /**
     * Most COFF symbol records (NumberOfSymbols, aux records included): large mingw and Go images have a few
     * hundred thousand. At this limit the table parses in about 0.25 s and its index takes about 12 MB.
     */
    public static final int MAX_COFF_SYMBOLS = 1 << 20;
    /** Most TLS callbacks. */
    public static final int MAX_TLS_CALLBACKS = 4096;
    /** Most imported functions in one import or delay-import directory, over all its DLLs. */
    public static final int MAX_IMPORTS = 1 << 18;
    /** Most base-relocation blocks (one per 4 KB page with relocations: enough for a 1 GB image). */
    public static final int MAX_RELOCATION_BLOCKS = 1 << 18;
    /** Most bytes of names (NUL included) read from one directory, so names shared by pointers stay bounded. */
    public static final int MAX_NAME_BYTES = 16 << 20;
    /** Largest COFF string table we index. */
    public static final long MAX_STRING_TABLE_SIZE = 1L << 28;
    /** Longest chain of x64 chained unwind infos (UNW_FLAG_CHAININFO) followed; Windows' unwinder stops at 32. */
    public static final int MAX_UNWIND_CHAIN = 32;
    /**
     * Most entries in one load-config guard table (GuardCFFunctionTable and the like): one per address-taken
     * function, so never more than there are functions.
     */
    public static final int MAX_GUARD_TABLE_ENTRIES = 1 << 19;
    /** Most safe SEH handlers (SEHandlerCount). */
    public static final int MAX_SEH_HANDLERS = 1 << 16;
    /** Longest CodeView record (signature, identity and PDB path) we parse. */
    public static final int MAX_CODEVIEW_LENGTH = 24 + MAX_NAME_LENGTH;
    /** Longest REPRO hash we copy into the model. */
    public static final int MAX_REPRO_HASH_LENGTH = 1024;
    /**
     * Largest SizeOfImage of an image we diff, patch or apply: Windows maps no image of 2 GB or more, and the patch
     * image builder writes none.
     */
    public static final long MAX_SIZE_OF_IMAGE = 1L << 31;
    /**
     * Most sections of an image we diff, patch or apply. The headers that hold them must fit below the first
     * section; linkers write a few dozen at most (Go and LLVM debug builds included).
     */
    public static final int MAX_LOADABLE_SECTIONS = 4096;
    /** Warnings of one kind we record per table before summarising the rest in one sentence. */
    public static final int MAX_WARNINGS_PER_KIND = 8;
}
