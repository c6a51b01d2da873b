package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.NtHeaders;
import io.kaitai.struct.ByteBufferKaitaiStream;

import java.util.List;
import java.util.Optional;

/**
 * What the data-directory step readers need from the headers: the directory entry of a kind, and the file
 * offsets of header fields for error messages (found by parsing the header page again with read-pos, so that
 * no offset is hard-coded here).
 */
final class DirectoryEntries {
    private DirectoryEntries() {}

    /**
     * The entry of that kind when the header has it and its address is not 0. As for the loader, the address
     * alone says whether the export, import, delay-load and TLS directories are there (images with a size of 0
     * load fine); readers check the size where they use it.
     */
    static Optional<DataDirectory> find(PeReader.Parts parts, DirectoryKind kind) {
        List<DataDirectory> all = parts.headers.dataDirectories();
        return kind.ordinal() < all.size() && all.get(kind.ordinal()).hasAddress()
                ? Optional.of(all.get(kind.ordinal())) : Optional.empty();
    }

    /** Structure name of a data directory entry in error messages, such as {@code data_directory[export]}. */
    static String structure(DirectoryKind kind) {
        return StepInput.directoryName(kind);
    }

    /** File offset of a field ({@code rva} or {@code len}) of a data directory entry, or -1. */
    static long fieldOffset(PeReader.Parts parts, DirectoryKind kind, String field) {
        return StepInput.directoryFieldOffset(parts.bytes, parts.headers, kind, field);
    }

    /** File offset of a COFF file header field such as {@code num_symbols}, or -1. */
    static long fileHeaderFieldOffset(PeReader.Parts parts, String field) {
        long nt = parts.headers.ntHeadersOffset();
        try {
            NtHeaders headers = new NtHeaders(
                    new ByteBufferKaitaiStream(parts.bytes.copyZeroPadded(nt, Limits.HEADER_PAGE)));
            return KaitaiParse.fieldOffset(headers.fileHeader(), field, nt);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
