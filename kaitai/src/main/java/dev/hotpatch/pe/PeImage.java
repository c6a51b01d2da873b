package dev.hotpatch.pe;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * An immutable, parsed PE/COFF image: headers, sections, RVA mapping, and the data directories the toolchain
 * uses. The bytes stay memory-mapped; nothing here holds a copy of the file. Read one with {@link PeReader}.
 */
public final class PeImage {
    private final String name;
    private final ImageBytes bytes;
    private final long ntHeadersOffset;
    private final FileHeader fileHeader;
    private final OptionalHeader optionalHeader;
    private final List<DataDirectory> dataDirectories;
    private final List<Section> sections;
    private final AddressMap addressMap;
    private final List<String> warnings;
    private final RuntimeFunctions runtimeFunctions;
    private final Optional<LoadConfig> loadConfig;
    private final List<DebugEntry> debugEntries;
    private final List<CertificateEntry> certificates;
    private final Optional<ExportTable> exports;
    private final List<ImportedModule> imports;
    private final List<ImportedModule> delayImports;
    private final BaseRelocations relocations;
    private final Optional<TlsDirectory> tls;
    private final CoffSymbols symbols;

    PeImage(PeReader.Parts parts) {
        this.name = parts.name;
        this.bytes = parts.bytes;
        this.ntHeadersOffset = parts.headers.ntHeadersOffset();
        this.fileHeader = parts.headers.fileHeader();
        this.optionalHeader = parts.headers.optionalHeader();
        this.dataDirectories = parts.headers.dataDirectories();
        this.sections = parts.headers.sections();
        this.addressMap = parts.addressMap;
        this.warnings = List.copyOf(parts.warnings);
        this.runtimeFunctions = parts.runtimeFunctions;
        this.loadConfig = parts.loadConfig;
        this.debugEntries = parts.debugEntries;
        this.certificates = parts.certificates;
        this.exports = parts.exports;
        this.imports = parts.imports;
        this.delayImports = parts.delayImports;
        this.relocations = parts.relocations;
        this.tls = parts.tls;
        this.symbols = parts.symbols;
    }

    /** The file name the image was read from, for reports. */
    public String name() { return name; }

    public long fileLength() { return bytes.length(); }

    public long ntHeadersOffset() { return ntHeadersOffset; }

    public FileHeader fileHeader() { return fileHeader; }

    public OptionalHeader optionalHeader() { return optionalHeader; }

    public Machine machine() { return fileHeader.machine(); }

    public boolean is64Bit() { return optionalHeader.pe32Plus(); }

    public long imageBase() { return optionalHeader.imageBase(); }

    public long entryPointRva() { return optionalHeader.entryPointRva(); }

    /** The data directories present in the header (at most 16). */
    public List<DataDirectory> dataDirectories() { return dataDirectories; }

    /** The directory of that kind, when the header has an entry for it and the entry is not empty. */
    public Optional<DataDirectory> directory(DirectoryKind kind) {
        return DataDirectory.inHeader(dataDirectories, kind).filter(DataDirectory::isPresent);
    }

    public List<Section> sections() { return sections; }

    public Optional<Section> section(String sectionName) {
        return sections.stream().filter(s -> s.name().equals(sectionName)).findFirst();
    }

    /** The section that holds this RVA in memory, if any. */
    public Optional<Section> sectionAt(long rva) {
        return Optional.ofNullable(addressMap.sectionAt(rva));
    }

    public AddressMap addressMap() { return addressMap; }

    /** File offset backing [rva, rva + size), or -1 when any byte of it is not in the file. */
    public long fileOffset(long rva, long size) {
        return addressMap.fileOffset(rva, size);
    }

    /** A read-only little-endian view of file-backed bytes at an RVA, or empty when not all are file-backed. */
    public Optional<ByteBuffer> bytesAt(long rva, int size) {
        long offset = addressMap.fileOffset(rva, size);
        return offset < 0 ? Optional.empty() : Optional.of(bytes.slice(offset, size));
    }

    /**
     * The bytes at an RVA as the loader maps them: file-backed bytes, and zeros for the uninitialised tail of a
     * section. Throws when the range leaves its section.
     */
    public byte[] readVirtual(long rva, int size) throws PeFormatException {
        Section s = addressMap.sectionAt(rva);
        if (s == null || rva + size - s.rva() > Math.max(s.extent(), s.mappedSize())) {
            throw new PeFormatException("image", "rva", -1, "a range inside one section",
                    KaitaiParse.hex(rva) + "+" + KaitaiParse.hex(size));
        }
        long delta = rva - s.rva();
        byte[] out = new byte[size];
        long backed = Math.max(0, Math.min(size, s.mappedSize() - delta));
        if (backed > 0) {
            bytes.slice(s.mappedOffset() + delta, backed).get(out, 0, (int) backed);
        }
        return out;
    }

    /** The raw file bytes, for readers in this package and for hashing and signing. */
    public ImageBytes fileBytes() { return bytes; }

    /** The export directory, when the image has one. */
    public Optional<ExportTable> exports() { return exports; }

    /** The import directory's DLLs, in descriptor order (empty when the image imports nothing). */
    public List<ImportedModule> imports() { return imports; }

    /** The delay-load import directory's DLLs, in descriptor order. */
    public List<ImportedModule> delayImports() { return delayImports; }

    /** The base relocation sites (empty when the image has no .reloc directory). */
    public BaseRelocations relocations() { return relocations; }

    /** The TLS directory, when the image has one. */
    public Optional<TlsDirectory> tls() { return tls; }

    /** The COFF symbol table (mingw images keep one; empty when PointerToSymbolTable is 0). */
    public CoffSymbols symbols() { return symbols; }

    /** The exception directory's function entries (x64 and ARM64; empty for x86 and when absent). */
    public RuntimeFunctions runtimeFunctions() { return runtimeFunctions; }

    /** The load configuration directory, when the image has one. */
    public Optional<LoadConfig> loadConfig() { return loadConfig; }

    /** The debug directory's entries, in order. */
    public List<DebugEntry> debugEntries() { return debugEntries; }

    /** The first CodeView record of the debug directory: which PDB matches the image. */
    public Optional<CodeViewInfo> codeView() {
        return debugEntries.stream().flatMap(e -> e.info().stream())
                .filter(CodeViewInfo.class::isInstance).map(CodeViewInfo.class::cast).findFirst();
    }

    /** The attribute certificate table's entries (Authenticode signatures), in order. */
    public List<CertificateEntry> certificates() { return certificates; }

    /** Recoverable oddities found while reading, one sentence each. */
    public List<String> warnings() { return warnings; }
}
