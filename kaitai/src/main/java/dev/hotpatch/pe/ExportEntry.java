package dev.hotpatch.pe;

import java.util.Optional;

/**
 * One export: an ordinal with its RVA, and the name it is exported under (a slot exported under several names
 * gives one entry per name; one exported by ordinal only has no name).
 *
 * @param ordinal   the export's ordinal (ordinal base plus its index in the export address table)
 * @param name      the name, or empty when exported by ordinal only
 * @param rva       the export address table entry: the RVA of the code or data, or of the forwarder string
 * @param forwarder the forwarder, such as {@code NTDLL.RtlAllocateHeap}, when the RVA points inside the export
 *                  directory
 */
public record ExportEntry(long ordinal, Optional<String> name, long rva, Optional<String> forwarder) {

    public boolean isForwarder() {
        return forwarder.isPresent();
    }
}
