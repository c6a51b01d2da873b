package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.DataDirectoryTable;
import dev.hotpatch.kaitai.layout.NtHeaders;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStream;

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
        return DataDirectory.inHeader(parts.headers.dataDirectories(), kind).filter(DataDirectory::hasAddress);
    }

    /** Structure name of a data directory entry in error messages, such as {@code data_directory[export]}. */
    static String structure(DirectoryKind kind) {
        return StepInput.directoryName(kind);
    }

    /** File offset of a field ({@code rva} or {@code len}) of a data directory entry, or -1. */
    static long fieldOffset(PeReader.Parts parts, DirectoryKind kind, String field) {
        return fieldOffset(parts.bytes, parts.headers, kind, field);
    }

    /**
     * File offset of a field ({@code rva} or {@code len}) of a data directory entry, found by parsing the header
     * page again with read-pos; only used to place an error message. -1 when it cannot be found.
     */
    static long fieldOffset(ImageBytes bytes, HeaderReader.Headers headers, DirectoryKind kind, String field) {
        long nt = headers.ntHeadersOffset();
        return KaitaiParse.locate(headerPage(bytes, nt), nt, io -> {
            long directories = KaitaiParse.fieldEnd(new NtHeaders(io), "optional_header", 0);
            if (directories < 0) {
                throw new IllegalStateException("nt_headers was compiled without read-pos");
            }
            io.seek(directories);
            return new DataDirectoryTable(io, kind.ordinal() + 1).entries().get(kind.ordinal());
        }, field);
    }

    /** File offset of a COFF file header field such as {@code num_symbols}, or -1. */
    static long fileHeaderFieldOffset(PeReader.Parts parts, String field) {
        long nt = parts.headers.ntHeadersOffset();
        return KaitaiParse.locate(headerPage(parts.bytes, nt), nt, io -> new NtHeaders(io).fileHeader(), field);
    }

    /** The header page from the NT headers on, zero-padded past the end of the file as the header reader sees it. */
    private static KaitaiStream headerPage(ImageBytes bytes, long nt) {
        return new ByteBufferKaitaiStream(bytes.copyZeroPadded(nt, Limits.HEADER_PAGE));
    }
}
