package dev.hotpatch.pe;

import java.util.List;
import java.util.Optional;

/**
 * The export directory of an image.
 *
 * @param dllName       the DLL's own name as the export directory gives it (empty when it has none)
 * @param ordinalBase   ordinal of the first export address table entry
 * @param timeDateStamp the directory's time stamp
 * @param entries       every export, ordered by ordinal, then by name-table position
 */
public record ExportTable(String dllName, long ordinalBase, long timeDateStamp, int majorVersion, int minorVersion,
                          List<ExportEntry> entries) {

    public ExportTable {
        entries = List.copyOf(entries);
    }

    /** The export with this name, if any. */
    public Optional<ExportEntry> byName(String name) {
        for (ExportEntry e : entries) {
            if (e.name().isPresent() && e.name().get().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The first entry with this ordinal, if any. */
    public Optional<ExportEntry> byOrdinal(long ordinal) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).ordinal() < ordinal) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo < entries.size() && entries.get(lo).ordinal() == ordinal
                ? Optional.of(entries.get(lo)) : Optional.empty();
    }
}
