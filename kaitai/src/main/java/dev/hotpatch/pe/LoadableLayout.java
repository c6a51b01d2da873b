package dev.hotpatch.pe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The layout rules the Windows loader enforces before it maps an image, checked for the images we diff, patch and
 * apply (inspect reads anything it can and warns instead). Reading a file never fails on these, because a
 * malformed file is still worth inspecting; building a patch from one, or applying one to it, is not:
 * <ul>
 *   <li>SectionAlignment and FileAlignment powers of two, FileAlignment at most SectionAlignment;</li>
 *   <li>NumberOfSections at most {@link Limits#MAX_LOADABLE_SECTIONS}, and the section table inside the file and
 *       inside SizeOfHeaders;</li>
 *   <li>SizeOfHeaders at most the file's length and the lowest section RVA;</li>
 *   <li>sections in memory do not overlap;</li>
 *   <li>SizeOfImage at least the end of every section and at most that end rounded up to SectionAlignment, and
 *       below {@link Limits#MAX_SIZE_OF_IMAGE}.</li>
 * </ul>
 */
public final class LoadableLayout {
    private static final int SECTION_HEADER_SIZE = 40;
    private static final int FILE_HEADER_END = 24;

    private LoadableLayout() {}

    /** Fails with the first rule the image breaks, naming the header field. */
    public static void check(PeImage image) throws PeFormatException {
        FileHeader fh = image.fileHeader();
        OptionalHeader oh = image.optionalHeader();
        long optionalStart = image.ntHeadersOffset() + FILE_HEADER_END;
        int count = fh.numberOfSections();
        if (count > Limits.MAX_LOADABLE_SECTIONS) {
            throw new PeFormatException("coff_file_header", "num_sections", image.ntHeadersOffset() + 6,
                    "at most " + Limits.MAX_LOADABLE_SECTIONS + " sections", String.valueOf(count));
        }
        long sectionAlignment = oh.sectionAlignment();
        long fileAlignment = oh.fileAlignment();
        if (Long.bitCount(sectionAlignment) != 1) {
            throw new PeFormatException("optional_header", "section_alignment", optionalStart + 32,
                    "a power of two", hex(sectionAlignment));
        }
        if (Long.bitCount(fileAlignment) != 1 || fileAlignment > sectionAlignment) {
            throw new PeFormatException("optional_header", "file_alignment", optionalStart + 36,
                    "a power of two, at most SectionAlignment " + hex(sectionAlignment), hex(fileAlignment));
        }
        long tableEnd = optionalStart + fh.sizeOfOptionalHeader() + (long) count * SECTION_HEADER_SIZE;
        long sizeOfHeadersField = optionalStart + 60;       // the same offset in PE32 and PE32+
        long sizeOfImageField = optionalStart + 56;
        long sizeOfHeaders = oh.sizeOfHeaders();
        if (tableEnd > image.fileLength()) {
            throw new PeFormatException("coff_file_header", "num_sections", image.ntHeadersOffset() + 6,
                    "a section table that ends inside the file (" + hex(image.fileLength()) + " bytes)",
                    count + " sections, ending at " + hex(tableEnd));
        }
        if (sizeOfHeaders > image.fileLength()) {
            throw new PeFormatException("optional_header", "len_headers", sizeOfHeadersField,
                    "at most the file's length " + hex(image.fileLength()), hex(sizeOfHeaders));
        }
        if (tableEnd > sizeOfHeaders) {
            throw new PeFormatException("optional_header", "len_headers", sizeOfHeadersField,
                    "at least the end of the section table " + hex(tableEnd), hex(sizeOfHeaders));
        }
        List<Section> byRva = new ArrayList<>(image.sections());
        byRva.sort(Comparator.comparingLong(Section::rva));
        if (!byRva.isEmpty() && sizeOfHeaders > byRva.get(0).rva()) {
            throw new PeFormatException("optional_header", "len_headers", sizeOfHeadersField,
                    "at most the lowest section RVA " + hex(byRva.get(0).rva()), hex(sizeOfHeaders));
        }
        long end = sizeOfHeaders;
        Section previous = null;
        for (Section s : byRva) {
            if (previous != null && s.rva() < previous.rva() + previous.extent()) {
                throw new PeFormatException("section_header[" + s.index() + "]", "virtual_address",
                        optionalStart + fh.sizeOfOptionalHeader() + (long) s.index() * SECTION_HEADER_SIZE + 12,
                        "an RVA at or after the end of section_header[" + previous.index() + "] ("
                                + hex(previous.rva() + previous.extent()) + "): sections do not overlap",
                        hex(s.rva()));
            }
            end = Math.max(end, s.rva() + s.extent());
            previous = s;
        }
        long alignment = sectionAlignment;
        long alignedEnd = (end + alignment - 1) / alignment * alignment;
        long sizeOfImage = oh.sizeOfImage();
        if (sizeOfImage < end || sizeOfImage > alignedEnd || sizeOfImage >= Limits.MAX_SIZE_OF_IMAGE) {
            throw new PeFormatException("optional_header", "len_image", sizeOfImageField,
                    "from " + hex(end) + " (the end of the last section) to " + hex(Math.min(alignedEnd,
                            Limits.MAX_SIZE_OF_IMAGE - 1)) + " (that end rounded up to SectionAlignment, below 2 GB)",
                    hex(sizeOfImage));
        }
    }
}
