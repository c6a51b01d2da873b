package dev.hotpatch.packager.format;

import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.util.Optional;

/** Finds and reads the hot-patch tables of a patch image: the load config's HotPatchTableOffset, then the tables. */
public final class PatchImageTables {
    /** The most we read for the tables, whatever the section claims (a hostile header must not size our buffers). */
    private static final long MAX_TABLES = 16L << 20;

    private PatchImageTables() {}

    /** The tables, or empty when the image's load config names none (it is not a patch image). */
    public static Optional<HotPatchTables> read(PeImage image) throws PatchFormatException {
        var lc = image.loadConfig();
        if (lc.isEmpty() || lc.get().hotPatchTableOffset().isEmpty() || lc.get().hotPatchTableOffset().getAsLong() == 0) {
            return Optional.empty();
        }
        long rva = lc.get().hotPatchTableOffset().getAsLong();
        Section s = image.sectionAt(rva).orElseThrow(() -> new PatchFormatException("load_config",
                "hot_patch_table_offset", 0, "an RVA inside a section of the patch image", hex(rva)));
        long length = Math.min(s.rva() + Math.min(s.virtualSize(), s.mappedSize()) - rva, MAX_TABLES);
        try {
            return Optional.of(HotPatchTablesReader.read(image.readVirtual(rva, (int) Math.max(0, length))));
        } catch (PeFormatException e) {
            throw new PatchFormatException("load_config", "hot_patch_table_offset", 0,
                    "tables backed by the file", e.getMessage());
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
