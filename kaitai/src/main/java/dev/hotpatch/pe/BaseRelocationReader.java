package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.BaseRelocationBlock;

import java.util.Arrays;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the base relocation directory block by block into {@link BaseRelocations}. A block whose size is
 * below its header, odd, or past the directory's end fails; so does a HIGHADJ entry without its parameter.
 */
final class BaseRelocationReader {
    private static final int HEADER_SIZE = 8;     // rva_page + len_block
    private static final int ENTRY_SIZE = 2;      // entry_run.entries
    private static final int TYPE_SHIFT = 12;     // entries: type in bits 15-12 ...
    private static final int OFFSET_MASK = 0xfff; // ... and the offset into the page in bits 11-0

    private final PeReader.Parts parts;
    private int[] rvas;
    private byte[] types;
    private int count;
    private int padding;
    private int[] highAdjSites = new int[0];
    private short[] highAdjParameters = new short[0];
    private int highAdjCount;
    private boolean awaitingParameter;
    private final int[] uncommon = new int[16];
    private int pagesOutside;
    private long firstPageOutside;

    BaseRelocationReader(PeReader.Parts parts) {
        this.parts = parts;
    }

    BaseRelocations read() throws PeFormatException {
        Optional<DataDirectory> found = DirectoryEntries.find(parts, DirectoryKind.BASE_RELOCATION);
        if (found.isEmpty() || found.get().size() == 0) {
            return BaseRelocations.empty();
        }
        DataDirectory dir = found.get();
        long start = parts.addressMap.requireFileOffset(dir.address(), dir.size(),
                DirectoryEntries.structure(DirectoryKind.BASE_RELOCATION), "rva",
                () -> DirectoryEntries.fieldOffset(parts, DirectoryKind.BASE_RELOCATION, "rva"));
        int capacity = (int) Math.min(dir.size() / ENTRY_SIZE, Limits.MAX_RELOCATIONS);
        rvas = new int[capacity];
        types = new byte[capacity];
        long entries = 0;
        long position = 0;
        for (int block = 0; position < dir.size(); block++) {
            String structure = "base_relocation_block[" + block + "]";
            long blockOffset = start + position;
            long remaining = dir.size() - position;
            if (block >= Limits.MAX_RELOCATION_BLOCKS) {
                throw new PeFormatException(structure, "extent", blockOffset, "at most "
                        + Limits.MAX_RELOCATION_BLOCKS + " blocks (Limits.MAX_RELOCATION_BLOCKS)", "another block");
            }
            if (remaining < HEADER_SIZE) {
                throw new PeFormatException(structure, "len_block", blockOffset,
                        "a whole " + HEADER_SIZE + "-byte block header", remaining + " bytes left in the directory");
            }
            BaseRelocationBlock header = KaitaiParse.parse(parts.bytes, structure, blockOffset, HEADER_SIZE,
                    BaseRelocationBlock::new);
            long size = header.lenBlock();
            if (size < HEADER_SIZE || size > remaining || size % ENTRY_SIZE != 0) {
                throw new PeFormatException(structure, "len_block", lenBlockOffset(blockOffset),
                        "an even size from " + HEADER_SIZE + " up to the " + remaining + " bytes left in the directory",
                        size + " (" + hex(size) + ")");
            }
            long numEntries = (size - HEADER_SIZE) / ENTRY_SIZE;
            entries += numEntries;
            if (entries > Limits.MAX_RELOCATIONS) {
                throw new PeFormatException(structure, "len_block", lenBlockOffset(blockOffset),
                        "at most " + Limits.MAX_RELOCATIONS + " relocation entries in all (Limits.MAX_RELOCATIONS)",
                        entries + " so far");
            }
            block(header, structure, blockOffset, numEntries);
            position += size;
        }
        warnAboutOddities();
        return new BaseRelocations(rvas, types, count, padding, highAdjSites, highAdjParameters, highAdjCount);
    }

    /** Where a block's len_block field is, found with the read-pos parser (for error messages). */
    private long lenBlockOffset(long blockOffset) {
        return KaitaiParse.locate(parts.bytes, blockOffset, HEADER_SIZE,
                dev.hotpatch.kaitai.layout.BaseRelocationBlock::new, "len_block");
    }

    private void block(BaseRelocationBlock header, String structure, long blockOffset, long numEntries)
            throws PeFormatException {
        long page = header.rvaPage();
        Section section = parts.addressMap.sectionAt(page);
        if (numEntries > 0 && section == null && pagesOutside++ == 0) {
            firstPageOutside = page;
        }
        Runs.parse(parts.bytes, structure, blockOffset + HEADER_SIZE, numEntries, ENTRY_SIZE,
                BaseRelocationBlock.EntryRun::new, (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        entry(page, run.entries().get(j));
                    }
                });
        if (awaitingParameter) {
            throw new PeFormatException(structure, "entries[" + (numEntries - 1) + "]",
                    blockOffset + HEADER_SIZE + (numEntries - 1) * ENTRY_SIZE,
                    "a parameter entry after a HIGHADJ entry", "the end of the block");
        }
    }

    private void entry(long page, int entry) {
        if (awaitingParameter) {
            highAdjParameters[highAdjCount - 1] = (short) entry;
            awaitingParameter = false;
            return;
        }
        int type = entry >>> TYPE_SHIFT;
        if (type == BaseRelocationType.ABSOLUTE.code()) {
            padding++;
            return;
        }
        if (!BaseRelocationType.of(type).isCommon()) {
            uncommon[type]++;
        }
        if (type == BaseRelocationType.HIGHADJ.code()) {
            if (highAdjCount == highAdjSites.length) {
                highAdjSites = Arrays.copyOf(highAdjSites, Math.max(8, highAdjCount * 2));
                highAdjParameters = Arrays.copyOf(highAdjParameters, highAdjSites.length);
            }
            highAdjSites[highAdjCount++] = count;
            awaitingParameter = true;
        }
        rvas[count] = (int) (page + (entry & OFFSET_MASK));
        types[count] = (byte) type;
        count++;
    }

    private void warnAboutOddities() {
        for (int code = 0; code < uncommon.length; code++) {
            if (uncommon[code] > 0) {
                parts.warnings.add("the base relocations include " + uncommon[code] + " entries of type " + code
                        + " (" + BaseRelocationType.of(code) + "), which x86, x64 and ARM64 images do not use");
            }
        }
        if (pagesOutside > 0) {
            parts.warnings.add(pagesOutside + " base relocation block(s) fix up pages outside every section, the "
                    + "first at RVA " + hex(firstPageOutside));
        }
    }
}
