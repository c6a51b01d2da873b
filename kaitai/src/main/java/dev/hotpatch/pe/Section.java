package dev.hotpatch.pe;

/**
 * One section header, with the loader's view of where its bytes come from.
 *
 * @param index          0-based position in the section table
 * @param name           the name as written (a "/123" long name resolved through the COFF string table)
 * @param rva            VirtualAddress
 * @param virtualSize    VirtualSize as written
 * @param rawOffset      PointerToRawData as written
 * @param rawSize        SizeOfRawData as written
 * @param characteristics Characteristics flags
 * @param mappedOffset   file offset the loader maps from (PointerToRawData rounded down to 512 when the file
 *                       alignment allows it)
 * @param mappedSize     bytes that come from the file; the rest of the section reads as zeros
 */
public record Section(int index, String name, long rva, long virtualSize, long rawOffset, long rawSize,
                      long characteristics, long mappedOffset, long mappedSize) {

    public static final long CNT_CODE = 0x20;
    public static final long CNT_INITIALIZED_DATA = 0x40;
    public static final long CNT_UNINITIALIZED_DATA = 0x80;
    public static final long MEM_DISCARDABLE = 0x02000000;
    public static final long MEM_EXECUTE = 0x20000000;
    public static final long MEM_READ = 0x40000000;
    public static final long MEM_WRITE = 0x80000000L;

    /** Bytes the section occupies in memory: VirtualSize, or SizeOfRawData when VirtualSize is 0. */
    public long extent() {
        return virtualSize != 0 ? virtualSize : rawSize;
    }

    public boolean contains(long someRva) {
        return someRva >= rva && someRva - rva < extent();
    }

    public boolean isExecutable() {
        return (characteristics & (MEM_EXECUTE | CNT_CODE)) != 0;
    }

    public boolean isWritable() {
        return (characteristics & MEM_WRITE) != 0;
    }
}
