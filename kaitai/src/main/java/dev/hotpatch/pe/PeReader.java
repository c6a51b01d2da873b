package dev.hotpatch.pe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a PE/COFF image: headers and section table first, then each data directory through its own reader.
 * Malformed input fails with one {@link PeFormatException}; recoverable oddities become warnings.
 */
public final class PeReader {
    private PeReader() {}

    /** What the step readers produce, gathered before the immutable {@link PeImage} is made. */
    static final class Parts {
        String name;
        ImageBytes bytes;
        HeaderReader.Headers headers;
        AddressMap addressMap;
        final List<String> warnings = new ArrayList<>();
        RuntimeFunctions runtimeFunctions = RuntimeFunctions.empty();
        Optional<LoadConfig> loadConfig = Optional.empty();
        List<DebugEntry> debugEntries = List.of();
        List<CertificateEntry> certificates = List.of();
        Optional<ExportTable> exports = Optional.empty();
        List<ImportedModule> imports = List.of();
        List<ImportedModule> delayImports = List.of();
        BaseRelocations relocations = BaseRelocations.empty();
        Optional<TlsDirectory> tls = Optional.empty();
        CoffSymbols symbols = CoffSymbols.empty();
    }

    public static PeImage read(Path path) throws IOException, PeFormatException {
        return read(ImageBytes.map(path), path.getFileName().toString());
    }

    public static PeImage read(byte[] image, String name) throws PeFormatException {
        return read(ImageBytes.of(image), name);
    }

    static PeImage read(ImageBytes bytes, String name) throws PeFormatException {
        Parts parts = new Parts();
        parts.name = name;
        parts.bytes = bytes;
        parts.headers = new HeaderReader(bytes, parts.warnings).read();
        parts.addressMap = new AddressMap(parts.headers.sections(), parts.headers.optionalHeader().sizeOfHeaders(),
                bytes.length());
        parts.exports = new ExportReader(parts).read();
        parts.imports = new ImportReader(parts).read();
        parts.delayImports = new DelayImportReader(parts).read();
        parts.relocations = new BaseRelocationReader(parts).read();
        parts.tls = new TlsReader(parts).read();
        parts.symbols = new CoffSymbolReader(parts).read();
        parts.runtimeFunctions = new ExceptionDirectoryReader(new StepInput(parts)).read();
        parts.loadConfig = new LoadConfigReader(new StepInput(parts)).read();
        parts.debugEntries = new DebugDirectoryReader(new StepInput(parts)).read();
        parts.certificates = new CertificateReader(new StepInput(parts)).read();
        return new PeImage(parts);
    }
}
