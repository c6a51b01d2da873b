package dev.hotpatch.pe;

/** The COFF file header of an image. */
public record FileHeader(Machine machine, int machineCode, int numberOfSections, long timeDateStamp,
                         long symbolTableOffset, long numberOfSymbols, int sizeOfOptionalHeader,
                         int characteristics) {

    public static final int RELOCS_STRIPPED = 0x0001;
    public static final int EXECUTABLE_IMAGE = 0x0002;
    public static final int LARGE_ADDRESS_AWARE = 0x0020;
    public static final int MACHINE_32BIT = 0x0100;
    public static final int DLL = 0x2000;
    public static final int SYSTEM = 0x1000;

    public boolean isDll() {
        return (characteristics & DLL) != 0;
    }
}
