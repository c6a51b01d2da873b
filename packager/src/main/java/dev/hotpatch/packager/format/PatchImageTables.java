package dev.hotpatch.packager.format;

import dev.hotpatch.pe.LoadableLayout;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Finds and reads the hot-patch tables of a patch image (the load config's HotPatchTableOffset, then the tables)
 * and checks every structural rule of docs/format.md, section 2.7, that the patch image alone decides: the
 * tables' own rules (1 to 11, {@link HotPatchTablesReader}) and the image's (12 to 18: machine, sections, where
 * code and fixups lie, what fixups may not write, instruction classes and reach). Every consumer (inspect,
 * verify, apply, an engine) reads patches through here, so none of them sees tables that break a rule.
 */
public final class PatchImageTables {
    /** The most we read for the tables, whatever the section claims (a hostile header must not size our buffers). */
    private static final long MAX_TABLES = 16L << 20;

    private PatchImageTables() {}

    /**
     * Tables that keep rules 1 to 13, with every one of rules 14 to 18 they break (empty when they keep all).
     *
     * @param functionOffset the function table's offset from HPATCH_HEADER, for errors about function records
     */
    public record Checked(HotPatchTables tables, List<PatchFormatException> broken, long functionOffset) {
        public Checked {
            broken = List.copyOf(broken);
        }
    }

    /**
     * The tables, or empty when the image's load config names none or names tables of another format (Microsoft's
     * own hot patches also use HotPatchTableOffset): it is not one of our patch images. Fails with the first
     * broken rule, reach checked for the preferred placement (docs/format.md, 1.1).
     */
    public static Optional<HotPatchTables> read(PeImage image) throws PatchFormatException {
        Optional<Checked> c = readChecked(image, -1);
        if (c.isPresent() && !c.get().broken().isEmpty()) {
            throw c.get().broken().get(0);
        }
        return c.map(Checked::tables);
    }

    /**
     * {@link #read}, with reach checked for the patch's RVA 0 at {@code placement} bytes after the base's (what
     * an engine that maps the patch itself, or the offline applier, checks again).
     */
    public static Optional<HotPatchTables> read(PeImage image, long placement) throws PatchFormatException {
        Optional<Checked> c = readChecked(image, placement);
        if (c.isPresent() && !c.get().broken().isEmpty()) {
            throw c.get().broken().get(0);
        }
        return c.map(Checked::tables);
    }

    /**
     * The tables with every rule of 12 to 18 they break (verification lists them all). Rules 1 to 11 and the image's
     * layout still fail at once: without them the records cannot be read.
     *
     * @param placement the patch's RVA 0 relative to the base's, or -1 for the preferred placement
     */
    public static Optional<Checked> readChecked(PeImage image, long placement) throws PatchFormatException {
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
        HotPatchTables tables = HotPatchTablesReader.read(bytes);
        layout(image);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        PatchImageRules.Place place = new PatchImageRules.Place(rva, Integer.toUnsignedLong(b.getInt(TableLayout.Header.SIZE)),
                Integer.toUnsignedLong(b.getInt(TableLayout.Header.FUNCTION_OFFSET)),
                Integer.toUnsignedLong(b.getInt(TableLayout.Header.FIXUP_OFFSET)));
        long at = placement >= 0 ? placement : PatchImageRules.preferredPlacement(tables.base());
        return Optional.of(new Checked(tables, PatchImageRules.check(image, tables, place, at), place.functionOffset()));
    }

    /**
     * Rule 19, which needs the base in hand: every trampoline site lies in the base's code, inside one base
     * function, with HOP padding outside every function (see {@link BaseSiteRules}). Empty when all hold.
     */
    public static List<PatchFormatException> checkBase(Checked checked, PeImage base) {
        return BaseSiteRules.check(checked.tables(), checked.functionOffset(), base);
    }

    /** Rule 13: the patch is an image the loader maps, and small enough to apply in a small heap. */
    private static void layout(PeImage image) throws PatchFormatException {
        try {
            LoadableLayout.check(image);
        } catch (PeFormatException e) {
            throw new PatchFormatException(e.structure(), e.field(), e.offset(), e.expected() + " (rule 13)", e.actual());
        }
        long size = image.optionalHeader().sizeOfImage();
        if (size > PatchLimits.MAX_PATCH_SIZE_OF_IMAGE) {
            throw new PatchFormatException("optional_header", "len_image", image.ntHeadersOffset() + 24 + 56,
                    "at most " + Fields.hex(PatchLimits.MAX_PATCH_SIZE_OF_IMAGE) + " for a patch image (rule 13)",
                    Fields.hex(size));
        }
    }
}
