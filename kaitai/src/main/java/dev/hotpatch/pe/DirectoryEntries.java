package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.DataDirectoryTable;
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
        return kind.ordinal() < all.size() && all.get(kind.ordinal()).address() != 0
                ? Optional.of(all.get(kind.ordinal())) : Optional.empty();
    }

    /** Structure name of a data directory entry in error messages, such as {@code data_directory[export]}. */
    static String structure(DirectoryKind kind) {
        return "data_directory[" + kind.id() + "]";
    }

    /** File offset of a field ({@code rva} or {@code len}) of a data directory entry, or -1. */
    static long fieldOffset(PeReader.Parts parts, DirectoryKind kind, String field) {
        long nt = parts.headers.ntHeadersOffset();
        ByteBufferKaitaiStream io = new ByteBufferKaitaiStream(parts.bytes.copyZeroPadded(nt, Limits.HEADER_PAGE));
        try {
            NtHeaders headers = new NtHeaders(io);
            Integer tableStart = headers._attrEnd.get("optionalHeader");
            if (tableStart == null) {
                return -1;
            }
            io.seek(tableStart);
            DataDirectoryTable table = new DataDirectoryTable(io, kind.ordinal() + 1);
            return KaitaiParse.fieldOffset(table.entries().get(kind.ordinal()), field, nt);
        } catch (RuntimeException e) {
            return -1;   // only used to place an error message; the headers were read once already
        }
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
