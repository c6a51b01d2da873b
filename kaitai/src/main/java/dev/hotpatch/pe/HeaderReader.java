package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.DataDirectoryTable;
import dev.hotpatch.kaitai.layout.DosHeader;
import dev.hotpatch.kaitai.layout.NtHeaders;
import dev.hotpatch.kaitai.layout.SectionTable;
import io.kaitai.struct.ByteBufferKaitaiStream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the DOS header, NT headers, data directories and section table. Headers that run past the end of a
 * tiny file are read as zeros, as the loader's zero-filled header page would give them, with a warning.
 */
final class HeaderReader {
    static final int DOS_MAGIC = 0x5a4d;
    static final long PE_SIGNATURE = 0x4550;
    static final int PE32_MAGIC = 0x10b;
    static final int PE32_PLUS_MAGIC = 0x20b;
    private static final int DOS_HEADER_SIZE = 64;
    private static final int FILE_HEADER_END = 24;          // signature + COFF file header
    private static final int NT_HEADERS_MAX = 24 + 240;     // PE32+ optional header with 16 directories
    private static final int SECTION_HEADER_SIZE = 40;
    private static final int DATA_DIRECTORY_SIZE = 8;

    record Headers(long ntHeadersOffset, FileHeader fileHeader, OptionalHeader optionalHeader,
                   List<DataDirectory> dataDirectories, List<Section> sections) {}

    private final ImageBytes bytes;
    private final List<String> warnings;

    HeaderReader(ImageBytes bytes, List<String> warnings) {
        this.bytes = bytes;
        this.warnings = warnings;
    }

    Headers read() throws PeFormatException {
        if (bytes.length() < DOS_HEADER_SIZE) {
            throw new PeFormatException("dos_header", "extent", 0, "at least 64 bytes", hex(bytes.length()) + " bytes");
        }
        DosHeader dos = KaitaiParse.parse(bytes, "dos_header", 0, DOS_HEADER_SIZE, DosHeader::new);
        if (dos.magic() != DOS_MAGIC) {
            throw new PeFormatException("dos_header", "magic", 0, "0x5a4d (\"MZ\")", hex(dos.magic()));
        }
        long nt = dos.ofsNtHeaders();
        if (nt > bytes.length() - FILE_HEADER_END) {
            throw new PeFormatException("dos_header", "ofs_nt_headers", fieldOffset(dos, "ofs_nt_headers", 0),
                    "at most " + hex(bytes.length() - FILE_HEADER_END) + " (NT headers inside the file)", hex(nt));
        }
        byte[] page = bytes.copyZeroPadded(nt, NT_HEADERS_MAX);
        NtHeaders headers = KaitaiParse.parse(new ByteBufferKaitaiStream(page), "nt_headers", nt, NT_HEADERS_MAX,
                NtHeaders::new);
        if (headers.signature() != PE_SIGNATURE) {
            throw new PeFormatException("nt_headers", "signature", nt, "0x4550 (\"PE\\0\\0\")", hex(headers.signature()));
        }
        FileHeader fileHeader = fileHeader(headers.fileHeader());
        OptionalHeader optional = optionalHeader(headers.optionalHeader(), nt);
        long optionalStart = nt + FILE_HEADER_END;
        long fixedPart = optional.pe32Plus() ? 112 : 96;
        int numDirectories = (int) Math.min(optional.numberOfRvaAndSizes(), Limits.MAX_DATA_DIRECTORIES);
        if (optional.numberOfRvaAndSizes() > Limits.MAX_DATA_DIRECTORIES) {
            warnings.add("optional_header.num_data_directories is " + optional.numberOfRvaAndSizes()
                    + "; the loader reads only the first 16");
        }
        long directoriesEnd = optionalStart + fixedPart + (long) numDirectories * DATA_DIRECTORY_SIZE;
        if (directoriesEnd > bytes.length()) {
            warnings.add("the optional header runs past the end of the file at " + hex(bytes.length())
                    + "; the missing bytes read as zeros");
        }
        List<DataDirectory> directories = dataDirectories(page, (int) (FILE_HEADER_END + fixedPart), numDirectories,
                optionalStart + fixedPart);
        long tableOffset = optionalStart + fileHeader.sizeOfOptionalHeader();
        List<Section> sections = sections(tableOffset, fileHeader.numberOfSections(), optional, fileHeader);
        return new Headers(nt, fileHeader, optional, directories, sections);
    }

    private static FileHeader fileHeader(NtHeaders.CoffFileHeader h) {
        return new FileHeader(Machine.of(h.machine()), h.machine(), h.numSections(), h.timeDateStamp(),
                h.ofsSymbolTable(), h.numSymbols(), h.lenOptionalHeader(), h.characteristics());
    }

    private static OptionalHeader optionalHeader(NtHeaders.OptionalHeader h, long nt) throws PeFormatException {
        if (h.pe32() != null) {
            NtHeaders.OptionalHeaderPe32 o = h.pe32();
            NtHeaders.WindowsFields w = o.windowsFields();
            return new OptionalHeader(false, o.majorLinkerVersion(), o.minorLinkerVersion(), o.lenCode(),
                    o.lenInitializedData(), o.lenUninitializedData(), o.rvaEntryPoint(), o.rvaBaseOfCode(),
                    o.rvaBaseOfData(), o.imageBase(), w.sectionAlignment(), w.fileAlignment(), w.majorOsVersion(),
                    w.minorOsVersion(), w.majorImageVersion(), w.minorImageVersion(), w.majorSubsystemVersion(),
                    w.minorSubsystemVersion(), w.win32VersionValue(), w.lenImage(), w.lenHeaders(), w.checksum(),
                    w.subsystem(), w.dllCharacteristics(), w.lenStackReserve(), w.lenStackCommit(),
                    w.lenHeapReserve(), w.lenHeapCommit(), w.loaderFlags(), w.numDataDirectories());
        }
        if (h.pe32Plus() != null) {
            NtHeaders.OptionalHeaderPe32Plus o = h.pe32Plus();
            NtHeaders.WindowsFields w = o.windowsFields();
            return new OptionalHeader(true, o.majorLinkerVersion(), o.minorLinkerVersion(), o.lenCode(),
                    o.lenInitializedData(), o.lenUninitializedData(), o.rvaEntryPoint(), o.rvaBaseOfCode(),
                    -1, o.imageBase(), w.sectionAlignment(), w.fileAlignment(), w.majorOsVersion(),
                    w.minorOsVersion(), w.majorImageVersion(), w.minorImageVersion(), w.majorSubsystemVersion(),
                    w.minorSubsystemVersion(), w.win32VersionValue(), w.lenImage(), w.lenHeaders(), w.checksum(),
                    w.subsystem(), w.dllCharacteristics(), w.lenStackReserve(), w.lenStackCommit(),
                    w.lenHeapReserve(), w.lenHeapCommit(), w.loaderFlags(), w.numDataDirectories());
        }
        throw new PeFormatException("optional_header", "magic", nt + FILE_HEADER_END,
                "0x10b (PE32) or 0x20b (PE32+)", hex(h.magic()));
    }

    private static List<DataDirectory> dataDirectories(byte[] page, int start, int count, long fileOffset)
            throws PeFormatException {
        ByteBufferKaitaiStream io = new ByteBufferKaitaiStream(page);
        io.seek(start);
        DataDirectoryTable table = KaitaiParse.parse(io, "data_directories", fileOffset,
                (long) count * DATA_DIRECTORY_SIZE, s -> new DataDirectoryTable(s, count));
        DirectoryKind[] kinds = DirectoryKind.values();
        List<DataDirectory> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            DataDirectoryTable.DataDirectory d = table.entries().get(i);
            out.add(new DataDirectory(kinds[i], d.rva(), d.len()));
        }
        return List.copyOf(out);
    }

    private List<Section> sections(long tableOffset, int count, OptionalHeader optional, FileHeader fileHeader)
            throws PeFormatException {
        long tableSize = (long) count * SECTION_HEADER_SIZE;
        if (tableOffset >= bytes.length() && count > 0) {
            throw new PeFormatException("coff_file_header", "len_optional_header", -1,
                    "a section table that starts inside the file (before " + hex(bytes.length()) + ")",
                    "a section table at " + hex(tableOffset));
        }
        if (tableOffset + tableSize > bytes.length()) {
            warnings.add("the section table runs past the end of the file at " + hex(bytes.length())
                    + "; the missing bytes read as zeros");
        }
        byte[] raw = bytes.copyZeroPadded(tableOffset, (int) tableSize);
        SectionTable table = KaitaiParse.parse(new ByteBufferKaitaiStream(raw), "section_table", tableOffset,
                tableSize, s -> new SectionTable(s, count));
        SectionNames names = new SectionNames(bytes, fileHeader, warnings);
        List<Section> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SectionTable.SectionHeader h = table.sections().get(i);
            out.add(section(i, h, names.decode(i, h.name()), optional));
        }
        return List.copyOf(out);
    }

    private Section section(int index, SectionTable.SectionHeader h, String name, OptionalHeader optional) {
        long mappedOffset = optional.fileAlignment() >= 0x200 ? h.ofsRawData() & ~0x1FFL : h.ofsRawData();
        long mappedSize = h.lenRawData();
        if (h.virtualSize() != 0) {
            long alignment = Math.max(1, optional.sectionAlignment());
            long virtualAligned = (h.virtualSize() + alignment - 1) / alignment * alignment;
            mappedSize = Math.min(mappedSize, virtualAligned);
        }
        if (mappedSize > 0 && mappedOffset + mappedSize > bytes.length()) {
            long clipped = Math.max(0, bytes.length() - mappedOffset);
            warnings.add("section_header[" + index + "] (" + name + ") raw data " + hex(mappedOffset) + "+"
                    + hex(mappedSize) + " runs past the end of the file; " + hex(clipped) + " bytes are backed");
            mappedSize = clipped;
        }
        return new Section(index, name, h.rva(), h.virtualSize(), h.ofsRawData(), h.lenRawData(),
                h.characteristics(), mappedOffset, mappedSize);
    }

    /** Decodes section names, resolving "/123" long names through the COFF string table. */
    private static final class SectionNames {
        private final ImageBytes bytes;
        private final long stringTable;
        private final List<String> warnings;

        SectionNames(ImageBytes bytes, FileHeader fileHeader, List<String> warnings) {
            this.bytes = bytes;
            this.warnings = warnings;
            long symbols = fileHeader.symbolTableOffset();
            long table = symbols + fileHeader.numberOfSymbols() * 18L;
            this.stringTable = symbols != 0 && bytes.inFile(table, 4) ? table : -1;
        }

        String decode(int index, byte[] raw) {
            int len = 0;
            while (len < raw.length && raw[len] != 0) {
                len++;
            }
            String name = new String(raw, 0, len, StandardCharsets.UTF_8);
            if (name.length() > 1 && name.charAt(0) == '/' && name.substring(1).chars().allMatch(Character::isDigit)) {
                long offset = Long.parseLong(name.substring(1));
                if (stringTable >= 0) {
                    try {
                        return bytes.cString(stringTable + offset, "section_header[" + index + "]", "name", -1);
                    } catch (PeFormatException e) {
                        warnings.add("section_header[" + index + "].name " + name + " does not resolve: "
                                + e.getMessage());
                    }
                }
            }
            return name;
        }
    }
}
