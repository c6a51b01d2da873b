package dev.hotpatch.pe;

/** The optional header's fields, PE32 and PE32+ alike (base of data is -1 for PE32+). */
public record OptionalHeader(boolean pe32Plus, int majorLinkerVersion, int minorLinkerVersion,
                             long sizeOfCode, long sizeOfInitializedData, long sizeOfUninitializedData,
                             long entryPointRva, long baseOfCode, long baseOfData, long imageBase,
                             long sectionAlignment, long fileAlignment,
                             int majorOsVersion, int minorOsVersion, int majorImageVersion, int minorImageVersion,
                             int majorSubsystemVersion, int minorSubsystemVersion, long win32VersionValue,
                             long sizeOfImage, long sizeOfHeaders, long checkSum, int subsystem,
                             int dllCharacteristics, long sizeOfStackReserve, long sizeOfStackCommit,
                             long sizeOfHeapReserve, long sizeOfHeapCommit, long loaderFlags,
                             long numberOfRvaAndSizes) {

    public static final int DLLCHAR_HIGH_ENTROPY_VA = 0x0020;
    public static final int DLLCHAR_DYNAMIC_BASE = 0x0040;
    public static final int DLLCHAR_NX_COMPAT = 0x0100;
    public static final int DLLCHAR_NO_SEH = 0x0400;
    public static final int DLLCHAR_GUARD_CF = 0x4000;

    /** "PE32" or "PE32+". */
    public String formatName() {
        return pe32Plus ? "PE32+" : "PE32";
    }
}
