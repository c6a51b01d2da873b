package dev.hotpatch.packager.image;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.FileHeader;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.OptionalHeader;
import dev.hotpatch.pe.Section;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lays a {@link PeImageBuilder}'s sections out in the file and writes the bytes: DOS header, NT headers, section
 * table, section data, absolute addresses, CheckSum. Field order and sizes follow nt_headers.ksy,
 * data_directory_table.ksy and section_table.ksy (the PE/COFF specification's optional header and section
 * table).
 */
final class ImageWriter {
    static final int DIRECTORY_COUNT = 16;
    static final int SECTION_HEADER_SIZE = 40;
    private static final int DOS_HEADER_SIZE = 0x40;
    private static final int OFS_E_LFANEW = 0x3C;
    private static final int PE_SIGNATURE = 0x0000_4550;   // "PE\0\0"
    private static final int COFF_HEADER_SIZE = 20;
    private static final int MAGIC_PE32 = 0x10B;
    private static final int MAGIC_PE32_PLUS = 0x20B;
    /** CheckSum's offset inside the optional header, the same in PE32 and PE32+. */
    private static final int OFS_CHECKSUM_IN_OPTIONAL = 64;
    static final int MAJOR_LINKER_VERSION = 14;
    static final int MINOR_LINKER_VERSION = 0;
    private static final long STACK_RESERVE = 0x100000;
    private static final long STACK_COMMIT = 0x1000;
    private static final long HEAP_RESERVE = 0x100000;
    private static final long HEAP_COMMIT = 0x1000;

    /** One row of the section table, with where its bytes go in the file. */
    private record Row(byte[] name, long rva, long virtualSize, byte[] data, long rawSize, long rawPointer,
                       long characteristics) {}

    private final PeImageBuilder image;
    private final boolean pe32Plus;

    ImageWriter(PeImageBuilder image) {
        this.image = image;
        this.pe32Plus = image.pe32Plus();
    }

    static int optionalHeaderSize(boolean pe32Plus) {
        return (pe32Plus ? 112 : 96) + 8 * DIRECTORY_COUNT;
    }

    /** Bytes of headers before rounding to the file alignment: DOS header to the end of the section table. */
    static int headersSize(boolean pe32Plus, int sections) {
        return DOS_HEADER_SIZE + 4 + COFF_HEADER_SIZE + optionalHeaderSize(pe32Plus) + SECTION_HEADER_SIZE * sections;
    }

    /** The file offset of the optional header's CheckSum field. */
    static int checksumOffset() {
        return DOS_HEADER_SIZE + 4 + COFF_HEADER_SIZE + OFS_CHECKSUM_IN_OPTIONAL;
    }

    byte[] write() {
        byte[] relocations = BaseRelocationTable.encode(image.relocations());
        List<Row> rows = new ArrayList<>();
        long fileOffset = LittleEndian.alignUp(headersSize(pe32Plus,
                image.sections().size() + (relocations.length > 0 ? 1 : 0)), PeImageBuilder.FILE_ALIGNMENT);
        long sizeOfHeaders = fileOffset;
        for (ImageSection s : image.sections()) {
            Row row = row(s.nameBytes, s.rva, s.virtualSize, s.initializedBytes(), s.characteristics, fileOffset);
            rows.add(row);
            fileOffset += row.rawSize;
        }
        long relocRva = image.nextRva();
        if (relocations.length > 0) {
            Row row = row(PeImageBuilder.RELOC_SECTION.getBytes(StandardCharsets.US_ASCII),
                    relocRva, relocations.length, relocations, SectionFlags.DISCARDABLE_DATA, fileOffset);
            rows.add(row);
            fileOffset += row.rawSize;
        }
        long sizeOfImage = rows.isEmpty() ? LittleEndian.alignUp(sizeOfHeaders, PeImageBuilder.SECTION_ALIGNMENT)
                : LittleEndian.alignUp(rows.get(rows.size() - 1).rva + rows.get(rows.size() - 1).virtualSize,
                PeImageBuilder.SECTION_ALIGNMENT);
        checkSize(sizeOfImage, fileOffset);

        ByteBuffer out = LittleEndian.allocate((int) fileOffset);
        out.put(0, (byte) 'M').put(1, (byte) 'Z');
        out.putInt(OFS_E_LFANEW, DOS_HEADER_SIZE);
        out.position(DOS_HEADER_SIZE);
        out.putInt(PE_SIGNATURE);
        writeFileHeader(out, rows.size());
        writeOptionalHeader(out, rows, sizeOfImage, sizeOfHeaders, relocations.length > 0 ? relocRva : 0,
                relocations.length);
        for (Row row : rows) {
            writeSectionHeader(out, row);
        }
        for (Row row : rows) {
            out.put((int) row.rawPointer, row.data);
        }
        writeAddresses(out, rows);
        byte[] file = out.array();
        ByteBuffer.wrap(file).order(out.order()).putInt(checksumOffset(),
                (int) PeChecksum.compute(file, checksumOffset()));
        return file;
    }

    private static Row row(byte[] name, long rva, long virtualSize, byte[] data, long characteristics,
                           long fileOffset) {
        long rawSize = LittleEndian.alignUp(data.length, PeImageBuilder.FILE_ALIGNMENT);
        return new Row(name, rva, virtualSize, data, rawSize, rawSize == 0 ? 0 : fileOffset, characteristics);
    }

    private void checkSize(long sizeOfImage, long fileSize) {
        if (sizeOfImage > PeImageBuilder.MAX_IMAGE_SIZE || fileSize > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "the image would take 0x%x bytes in memory and 0x%x in the file; at most 2 GB (0x%x) is written",
                    sizeOfImage, fileSize, PeImageBuilder.MAX_IMAGE_SIZE));
        }
        if (!pe32Plus && image.imageBase() + sizeOfImage > 0x1_0000_0000L) {
            throw new IllegalArgumentException(String.format(
                    "a PE32 image based at 0x%x with 0x%x bytes in memory would end past 4 GB", image.imageBase(),
                    sizeOfImage));
        }
    }

    private void writeFileHeader(ByteBuffer out, int sections) {
        int characteristics = FileHeader.EXECUTABLE_IMAGE | FileHeader.DLL
                | (pe32Plus ? FileHeader.LARGE_ADDRESS_AWARE : FileHeader.MACHINE_32BIT);
        out.putShort((short) image.machine().code());        // Machine
        out.putShort((short) sections);                      // NumberOfSections
        out.putInt(0);                                       // TimeDateStamp: none, for reproducible output
        out.putInt(0);                                       // PointerToSymbolTable
        out.putInt(0);                                       // NumberOfSymbols
        out.putShort((short) optionalHeaderSize(pe32Plus));  // SizeOfOptionalHeader
        out.putShort((short) characteristics);               // Characteristics
    }

    private void writeOptionalHeader(ByteBuffer out, List<Row> rows, long sizeOfImage, long sizeOfHeaders,
                                     long relocRva, long relocSize) {
        long sizeOfCode = 0;
        long sizeOfInitializedData = 0;
        long sizeOfUninitializedData = 0;
        long baseOfCode = 0;
        long baseOfData = 0;
        for (Row row : rows) {
            if ((row.characteristics & Section.CNT_CODE) != 0) {
                sizeOfCode += row.rawSize;
                baseOfCode = baseOfCode == 0 ? row.rva : baseOfCode;
            } else if (baseOfData == 0 && (row.characteristics
                    & (Section.CNT_INITIALIZED_DATA | Section.CNT_UNINITIALIZED_DATA)) != 0) {
                baseOfData = row.rva;
            }
            if ((row.characteristics & Section.CNT_INITIALIZED_DATA) != 0) {
                sizeOfInitializedData += row.rawSize;
            }
            if ((row.characteristics & Section.CNT_UNINITIALIZED_DATA) != 0) {
                sizeOfUninitializedData += LittleEndian.alignUp(row.virtualSize, PeImageBuilder.FILE_ALIGNMENT);
            }
        }
        boolean arm64 = image.machine() == Machine.ARM64;
        int dllCharacteristics = OptionalHeader.DLLCHAR_DYNAMIC_BASE | OptionalHeader.DLLCHAR_NX_COMPAT
                | (pe32Plus ? OptionalHeader.DLLCHAR_HIGH_ENTROPY_VA : 0)
                | (image.guardCf() ? OptionalHeader.DLLCHAR_GUARD_CF : 0);

        out.putShort((short) (pe32Plus ? MAGIC_PE32_PLUS : MAGIC_PE32));   // Magic
        out.put((byte) MAJOR_LINKER_VERSION);                              // MajorLinkerVersion
        out.put((byte) MINOR_LINKER_VERSION);                              // MinorLinkerVersion
        out.putInt((int) sizeOfCode);                                      // SizeOfCode
        out.putInt((int) sizeOfInitializedData);                           // SizeOfInitializedData
        out.putInt((int) sizeOfUninitializedData);                         // SizeOfUninitializedData
        out.putInt(0);                                                     // AddressOfEntryPoint: no DllMain
        out.putInt((int) baseOfCode);                                      // BaseOfCode
        if (pe32Plus) {
            out.putLong(image.imageBase());                                // ImageBase
        } else {
            out.putInt((int) baseOfData);                                  // BaseOfData
            out.putInt((int) image.imageBase());                           // ImageBase
        }
        out.putInt(PeImageBuilder.SECTION_ALIGNMENT);                      // SectionAlignment
        out.putInt(PeImageBuilder.FILE_ALIGNMENT);                         // FileAlignment
        out.putShort((short) 6);                                           // MajorOperatingSystemVersion
        out.putShort((short) (arm64 ? 2 : 0));                             // MinorOperatingSystemVersion
        out.putShort((short) 0);                                           // MajorImageVersion
        out.putShort((short) 0);                                           // MinorImageVersion
        out.putShort((short) 6);                                           // MajorSubsystemVersion
        out.putShort((short) (arm64 ? 2 : 0));                             // MinorSubsystemVersion
        out.putInt(0);                                                     // Win32VersionValue
        out.putInt((int) sizeOfImage);                                     // SizeOfImage
        out.putInt((int) sizeOfHeaders);                                   // SizeOfHeaders
        out.putInt(0);                                                     // CheckSum, computed last
        out.putShort((short) image.subsystemValue());                      // Subsystem
        out.putShort((short) dllCharacteristics);                          // DllCharacteristics
        putSize(out, STACK_RESERVE);                                       // SizeOfStackReserve
        putSize(out, STACK_COMMIT);                                        // SizeOfStackCommit
        putSize(out, HEAP_RESERVE);                                        // SizeOfHeapReserve
        putSize(out, HEAP_COMMIT);                                         // SizeOfHeapCommit
        out.putInt(0);                                                     // LoaderFlags
        out.putInt(DIRECTORY_COUNT);                                       // NumberOfRvaAndSizes
        for (int i = 0; i < DIRECTORY_COUNT; i++) {
            boolean reloc = i == DirectoryKind.BASE_RELOCATION.ordinal();
            out.putInt((int) (reloc ? relocRva : image.directoryRva(i)));       // VirtualAddress
            out.putInt((int) (reloc ? relocSize : image.directorySize(i)));     // Size
        }
    }

    private void putSize(ByteBuffer out, long value) {
        if (pe32Plus) {
            out.putLong(value);
        } else {
            out.putInt((int) value);
        }
    }

    private static void writeSectionHeader(ByteBuffer out, Row row) {
        byte[] name = new byte[8];
        System.arraycopy(row.name, 0, name, 0, row.name.length);
        out.put(name);                             // Name, NUL-padded
        out.putInt((int) row.virtualSize);         // VirtualSize
        out.putInt((int) row.rva);                 // VirtualAddress
        out.putInt((int) row.rawSize);             // SizeOfRawData
        out.putInt((int) row.rawPointer);          // PointerToRawData
        out.putInt(0);                             // PointerToRelocations
        out.putInt(0);                             // PointerToLinenumbers
        out.putShort((short) 0);                   // NumberOfRelocations
        out.putShort((short) 0);                   // NumberOfLinenumbers
        out.putInt((int) row.characteristics);     // Characteristics
    }

    /** Fills each address field with image base + target RVA (its relocation was added with it). */
    private void writeAddresses(ByteBuffer out, List<Row> rows) {
        for (Map.Entry<Long, Long> field : image.addressFields().entrySet()) {
            long site = field.getKey();
            for (Row row : rows) {
                if (site >= row.rva && site < row.rva + row.data.length) {
                    LittleEndian.putPointer(out, (int) (row.rawPointer + site - row.rva),
                            image.imageBase() + field.getValue(), pe32Plus);
                    break;
                }
            }
        }
    }
}
