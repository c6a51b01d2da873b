package dev.hotpatch.packager.format;

import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Finds and reads the hot-patch tables of a patch image: the load config's HotPatchTableOffset, then the tables. */
public final class PatchImageTables {
    /** The most we read for the tables, whatever the section claims (a hostile header must not size our buffers). */
    private static final long MAX_TABLES = 16L << 20;

    private PatchImageTables() {}

    /**
     * The tables, or empty when the image's load config names none or names tables of another format (Microsoft's
     * own hot patches also use HotPatchTableOffset): it is not one of our patch images.
     */
    public static Optional<HotPatchTables> read(PeImage image) throws PatchFormatException {
        var lc = image.loadConfig();
        if (lc.isEmpty() || lc.get().hotPatchTableOffset().isEmpty() || lc.get().hotPatchTableOffset().getAsLong() == 0) {
            return Optional.empty();
        }
        long rva = lc.get().hotPatchTableOffset().getAsLong();
        Optional<Section> s = image.sectionAt(rva);
        if (s.isEmpty()) {
            return Optional.empty();       // an offset into nothing: no tables of any format
        }
        long length = Math.min(s.get().rva() + Math.min(s.get().virtualSize(), s.get().mappedSize()) - rva, MAX_TABLES);
        byte[] bytes;
        try {
            bytes = image.readVirtual(rva, (int) Math.max(0, length));
        } catch (PeFormatException e) {
            return Optional.empty();       // not backed by the file: no tables either
        }
        if (bytes.length < 4 || ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) != HotPatchHeader.MAGIC) {
            return Optional.empty();
        }
        return Optional.of(HotPatchTablesReader.read(bytes));
    }
}
