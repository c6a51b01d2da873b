package dev.hotpatch.pe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        List<DataDirectory> all = headers.dataDirectories();
        return kind.ordinal() < all.size() && all.get(kind.ordinal()).isPresent()
                ? Optional.of(all.get(kind.ordinal())) : Optional.empty();
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

    /** Converts a VA read from the file to an RVA inside the image, or throws naming the field. */
    long rvaOfVa(long va, String structure, String field, long fieldOffset) throws PeFormatException {
        long rva = va - imageBase();
        if (Long.compareUnsigned(va, imageBase()) < 0 || rva >= sizeOfImage()) {
            throw new PeFormatException(structure, field, fieldOffset,
                    "a VA inside the image (" + hex(imageBase()) + ".." + hex(imageBase() + sizeOfImage()) + ")",
                    hex(va));
        }
        return rva;
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
