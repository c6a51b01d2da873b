package dev.hotpatch.signer.authenticode;

import dev.hotpatch.kaitai.layout.DataDirectoryTable;
import dev.hotpatch.kaitai.layout.DosHeader;
import dev.hotpatch.kaitai.layout.NtHeaders;
import dev.hotpatch.kaitai.layout.SectionTable;
import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.KaitaiParse;
import dev.hotpatch.pe.Limits;
import dev.hotpatch.pe.PeFormatException;

import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Where the fields Authenticode cares about sit in a PE file: the CheckSum field, the certificate-table data
 * directory entry (index 4) and what it points at, and the end of the headers and of every section's raw data
 * (nothing the loader maps may lie inside the certificate table, which the signature does not cover).
 *
 * <p>Only these headers are read, through the layouts of the kaitai module; imports, exports and the rest do not
 * matter to the linear digest rule, so a file whose import table is broken still has a well-defined digest.
 *
 * @param fileLength               length of the file in bytes
 * @param checksumOffset           file offset of the optional header's CheckSum (4 bytes)
 * @param certificateEntryOffset   file offset of data directory entry 4 (8 bytes: file offset, size)
 * @param certificateTableOffset   the entry's first field (a file offset, not an RVA), 0 when unsigned
 * @param certificateTableSize     the entry's second field, 0 when unsigned
 * @param endOfMappedData          the largest end of the headers and of any section's raw data
 * @param lastSectionName          the section whose raw data ends last, for messages (or "headers")
 */
public record PeLayout(long fileLength, int checksumOffset, int certificateEntryOffset, long certificateTableOffset,
                       long certificateTableSize, long endOfMappedData, String lastSectionName) {

    /** Index of IMAGE_DIRECTORY_ENTRY_SECURITY. */
    public static final int CERTIFICATE_DIRECTORY = 4;
    private static final int DOS_HEADER_SIZE = 64;
    private static final int DATA_DIRECTORY_SIZE = 8;
    private static final int SECTION_HEADER_SIZE = 40;
    private static final int NT_HEADERS_MAX = 24 + 240;
    private static final int FILE_HEADER_END = 24;
    /** The certificate-table directory entry, as messages name it. */
    public static final String DIRECTORY = "data_directory[certificate]";

    /** True when the directory entry has a size: the file claims to carry a certificate table. */
    public boolean signed() {
        return certificateTableSize != 0;
    }

    /**
     * Empty when the certificate table the directory entry describes starts after offset 0 and ends inside the
     * file; else the sentence saying where it points instead. The one bounds check signing and verification share.
     */
    public Optional<String> certificateTableOutsideFile() {
        long end = certificateTableOffset + certificateTableSize;
        if (certificateTableOffset != 0 && end <= fileLength) {
            return Optional.empty();
        }
        return Optional.of(DIRECTORY + " at " + hex(certificateEntryOffset) + ": expected a table inside the file"
                + " (0x0.." + hex(fileLength) + "), found " + hex(certificateTableOffset) + ".." + hex(end));
    }

    /** Reads the layout; every offset and size is checked against the file before it is used. */
    public static PeLayout read(byte[] file) throws PeFormatException {
        ImageBytes bytes = ImageBytes.of(file);
        if (file.length < DOS_HEADER_SIZE) {
            throw new PeFormatException("dos_header", "extent", 0, "at least 64 bytes", hex(file.length) + " bytes");
        }
        DosHeader dos = KaitaiParse.parse(bytes, "dos_header", 0, DOS_HEADER_SIZE, DosHeader::new);
        if (dos.magic() != 0x5a4d) {
            throw new PeFormatException("dos_header", "magic", 0, "0x5a4d (\"MZ\")", hex(dos.magic()));
        }
        long nt = dos.ofsNtHeaders();
        if (nt > file.length - FILE_HEADER_END) {
            throw new PeFormatException("dos_header", "ofs_nt_headers", KaitaiParse.fieldOffset(dos, "ofs_nt_headers", 0),
                    "at most " + hex(file.length - FILE_HEADER_END) + " (NT headers inside the file)", hex(nt));
        }
        long available = Math.min(NT_HEADERS_MAX, file.length - nt);
        NtHeaders headers = KaitaiParse.parse(bytes, "nt_headers", nt, available, NtHeaders::new);
        if (headers.signature() != 0x4550) {
            throw new PeFormatException("nt_headers", "signature", nt, "0x4550 (\"PE\\0\\0\")", hex(headers.signature()));
        }
        NtHeaders.OptionalHeader optional = headers.optionalHeader();
        NtHeaders.WindowsFields windows;
        if (optional.pe32() != null) {
            windows = optional.pe32().windowsFields();
        } else if (optional.pe32Plus() != null) {
            windows = optional.pe32Plus().windowsFields();
        } else {
            throw new PeFormatException("optional_header", "magic", nt + FILE_HEADER_END,
                    "0x10b (PE32) or 0x20b (PE32+)", hex(optional.magic()));
        }
        long checksum = KaitaiParse.fieldOffset(windows, "checksum", nt);
        long directoriesStart = KaitaiParse.fieldEnd(headers, "optional_header", nt);
        if (checksum < 0 || directoriesStart < 0) {
            throw new IllegalStateException("the kaitai layouts were generated without --read-pos");
        }
        long numDirectories = windows.numDataDirectories();
        if (numDirectories <= CERTIFICATE_DIRECTORY) {
            throw new PeFormatException("optional_header", "num_data_directories",
                    KaitaiParse.fieldOffset(windows, "num_data_directories", nt),
                    "at least 5 (room for the certificate table entry)", Long.toString(numDirectories));
        }
        long optionalStart = nt + FILE_HEADER_END;
        long lenOptional = headers.fileHeader().lenOptionalHeader();
        long entry = directoriesStart + (long) CERTIFICATE_DIRECTORY * DATA_DIRECTORY_SIZE;
        if (entry + DATA_DIRECTORY_SIZE > optionalStart + lenOptional) {
            throw new PeFormatException("coff_file_header", "len_optional_header",
                    KaitaiParse.fieldOffset(headers.fileHeader(), "len_optional_header", nt),
                    "at least " + hex(entry + DATA_DIRECTORY_SIZE - optionalStart)
                            + " (an optional header that holds the certificate table entry)", hex(lenOptional));
        }
        bytes.checkRange(DIRECTORY, "extent", entry, entry, DATA_DIRECTORY_SIZE);
        DataDirectoryTable.DataDirectory cert = KaitaiParse.parse(bytes, DIRECTORY, entry, DATA_DIRECTORY_SIZE,
                io -> new DataDirectoryTable(io, 1)).entries().get(0);

        long headersEnd = windows.lenHeaders();
        long end = headersEnd;
        String last = "headers";
        int count = headers.fileHeader().numSections();
        long tableOffset = optionalStart + lenOptional;
        long tableSize = (long) count * SECTION_HEADER_SIZE;
        if (count > Limits.MAX_SECTIONS) {
            throw new PeFormatException("coff_file_header", "num_sections", -1,
                    "at most " + Limits.MAX_SECTIONS, Integer.toString(count));
        }
        if (count > 0) {
            SectionTable table = KaitaiParse.parse(bytes, "section_table", tableOffset, tableSize,
                    io -> new SectionTable(io, count));
            for (int i = 0; i < count; i++) {
                SectionTable.SectionHeader s = table.sections().get(i);
                if (s.lenRawData() == 0) {
                    continue;
                }
                long rawEnd = s.ofsRawData() + s.lenRawData();
                if (rawEnd > end) {
                    end = rawEnd;
                    last = "section_header[" + i + "] (" + sectionName(s.name()) + ")";
                }
            }
        }
        return new PeLayout(file.length, (int) checksum, (int) entry, cert.rva(), cert.len(), end, last);
    }

    private static String sectionName(byte[] raw) {
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
