package dev.hotpatch.pe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * What the exception, load-config, debug and certificate step readers share: the bytes, the headers, the
 * address map, the warnings list, and small helpers (directory entries, VAs, repeated warnings).
 */
final class StepInput {
    final ImageBytes bytes;
    final HeaderReader.Headers headers;
    final AddressMap map;
    private final List<String> warnings;
    private final Map<String, Integer> warningCounts = new HashMap<>();

    StepInput(PeReader.Parts parts) {
        this(parts.bytes, parts.headers, parts.addressMap, parts.warnings);
    }

    StepInput(ImageBytes bytes, HeaderReader.Headers headers, AddressMap map, List<String> warnings) {
        this.bytes = bytes;
        this.headers = headers;
        this.map = map;
        this.warnings = warnings;
    }

    Machine machine() {
        return headers.fileHeader().machine();
    }

    long imageBase() {
        return headers.optionalHeader().imageBase();
    }

    long sizeOfImage() {
        return headers.optionalHeader().sizeOfImage();
    }

    /** The data directory entry of that kind, when the header has it and it is not empty. */
    Optional<DataDirectory> directory(DirectoryKind kind) {
        return DataDirectory.inHeader(headers.dataDirectories(), kind).filter(DataDirectory::isPresent);
    }

    /** Structure name of a data directory entry in messages, such as {@code data_directory[debug]}. */
    static String directoryName(DirectoryKind kind) {
        return "data_directory[" + kind.id() + "]";
    }

    /**
     * File offset of a field ({@code rva} or {@code len}) of a data directory entry, found by parsing the
     * header page again with read-pos; only used to place an error message (pass it lazily). -1 when it cannot be
     * found.
     */
    long directoryFieldOffset(DirectoryKind kind, String field) {
        return DirectoryEntries.fieldOffset(bytes, headers, kind, field);
    }

    /**
     * True when a VA read from the file lies inside the image; when {@code endAllowed}, the image's end
     * (ImageBase + SizeOfImage, one past its last byte) counts too, as it may for an end address.
     */
    boolean vaInImage(long va, boolean endAllowed) {
        if (Long.compareUnsigned(va, imageBase()) < 0) {
            return false;
        }
        int fromEnd = Long.compareUnsigned(va - imageBase(), sizeOfImage());
        return fromEnd < 0 || endAllowed && fromEnd == 0;
    }

    /** Converts a VA read from the file to an RVA as {@link #vaInImage} allows it, or throws naming the field. */
    long rvaOfVa(long va, boolean endAllowed, String structure, String field, LongSupplier fieldOffset)
            throws PeFormatException {
        if (!vaInImage(va, endAllowed)) {
            throw new PeFormatException(structure, field, fieldOffset.getAsLong(),
                    "a VA inside the image (" + hex(imageBase()) + ".." + hex(imageBase() + sizeOfImage()) + ")",
                    hex(va));
        }
        return va - imageBase();
    }

    void warn(String sentence) {
        warnings.add(sentence);
    }

    /**
     * Records a warning of a kind that may repeat for every entry of a large table: the first
     * {@link Limits#MAX_WARNINGS_PER_KIND} are kept, then one sentence says that more were dropped.
     */
    void warnRepeated(String kind, String sentence) {
        int seen = warningCounts.merge(kind, 1, Integer::sum);
        if (seen <= Limits.MAX_WARNINGS_PER_KIND) {
            warnings.add(sentence);
        } else if (seen == Limits.MAX_WARNINGS_PER_KIND + 1) {
            warnings.add("further warnings of the kind \"" + kind + "\" are not listed");
        }
    }
}
