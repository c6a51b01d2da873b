package dev.hotpatch.packager.image;

import java.util.List;

/**
 * Where {@link ImportDirectoryBuilder} put an import directory.
 *
 * @param descriptorRva  RVA of the descriptor table (the IMPORT data directory)
 * @param descriptorSize bytes of the descriptor table, its all-zero terminator included
 * @param iatRva         RVA of the import address table (the IAT data directory)
 * @param iatSize        bytes of the import address table
 * @param slots          every imported function's IAT slot, in table order
 */
public record ImportDirectory(long descriptorRva, long descriptorSize, long iatRva, long iatSize,
                              List<Slot> slots) {

    public ImportDirectory {
        slots = List.copyOf(slots);
    }

    /** One imported function and the RVA of the IAT slot the loader fills with its address. */
    public record Slot(String dll, String function, long iatRva) {}

    /** The IAT slot RVA of {@code dll!function} (the DLL name compared without regard to case). */
    public long iatSlot(String dll, String function) {
        for (Slot s : slots) {
            if (s.dll().equalsIgnoreCase(dll) && s.function().equals(function)) {
                return s.iatRva();
            }
        }
        throw new IllegalArgumentException(dll + "!" + function + " is not imported");
    }
}
