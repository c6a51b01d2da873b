package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.PdbInfoStream;
import dev.hotpatch.pe.Guids;
import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.PeFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a PDB (MSF 7.0): the container and its stream directory, the PDB info stream (identity), the DBI stream
 * (modules, symbol record stream, section header stream), the section headers, every module's symbols, the
 * symbol record stream, and the TPI stream for the sizes of data symbols. Malformed input fails with one
 * {@link PeFormatException}; recoverable oddities become warnings on the result.
 */
public final class PdbReader {
    private PdbReader() {}

    private static final int INFO_STREAM = 1;
    private static final String INFO = "pdb_info_stream";
    private static final int INFO_HEADER_SIZE = 28;   // pdb_info_stream seq
    private static final long VC70 = 20000404;

    public static PdbFile read(Path path) throws IOException, PeFormatException {
        return read(ImageBytes.map(path), path.getFileName().toString());
    }

    public static PdbFile read(byte[] pdb, String name) throws PeFormatException {
        return read(ImageBytes.of(pdb), name);
    }

    static PdbFile read(ImageBytes bytes, String name) throws PeFormatException {
        List<String> warnings = new ArrayList<>();
        MsfFile msf = MsfFile.open(bytes);
        MsfStream infoStream = infoStream(msf);
        PdbInfoStream info = info(infoStream);
        long guidOffset = infoStream.fieldOffset(info, "guid", 0);
        long signatureOffset = infoStream.fieldOffset(info, "signature", 0);
        PdbInfoStream.Guid g = info.guid();
        String guid = Guids.format(g.data1(), g.data2(), g.data3(), g.data4());
        byte[] guidBytes = Guids.bytes(g.data1(), g.data2(), g.data3(), g.data4());
        if (!msf.has(DbiReader.STREAM) || msf.stream(DbiReader.STREAM, "dbi_stream").size() == 0) {
            warnings.add(name + " has no DBI stream, so it names no procedures, data or publics");
            return new PdbFile(name, guid, guidBytes, info.age(), info.age(), info.signature(), List.of(), List.of(),
                    List.of(), warnings, guidOffset, signatureOffset);
        }
        DbiReader.Dbi dbi = new DbiReader(msf.stream(DbiReader.STREAM, "dbi_stream"), warnings).read();
        SectionRvas sections = sections(msf, dbi, warnings);
        SymbolCollector symbols = new SymbolCollector(sections, warnings);
        for (DbiReader.Module m : dbi.modules()) {
            symbols.module(msf, m);
        }
        if (dbi.symbolRecordStream() != DbiReader.NO_STREAM) {
            requireStream(msf, dbi.symbolRecordStream(), "symbol_record_stream");
            symbols.symbolRecords(msf.stream(dbi.symbolRecordStream(), "symbol_record_stream"));
        }
        List<SymbolCollector.RawData> raw = symbols.data();
        List<PdbData> data = withSizes(raw, raw.isEmpty() ? TypeSizes.primitivesOnly() : types(msf), sections);
        return new PdbFile(name, guid, guidBytes, dbi.age(), info.age(), info.signature(), symbols.procedures(), data,
                symbols.publics(), warnings, guidOffset, signatureOffset);
    }

    private static MsfStream infoStream(MsfFile msf) throws PeFormatException {
        requireStream(msf, INFO_STREAM, "info_stream");
        return msf.stream(INFO_STREAM, INFO);
    }

    private static PdbInfoStream info(MsfStream stream) throws PeFormatException {
        if (stream.size() < INFO_HEADER_SIZE) {
            throw new PeFormatException(INFO, "extent", stream.fileOffset(0), "at least " + INFO_HEADER_SIZE
                    + " bytes (version, signature, age and GUID)", stream.size() + " bytes");
        }
        PdbInfoStream info = stream.parse(INFO, 0, INFO_HEADER_SIZE, PdbInfoStream::new);
        if (info.version() < VC70) {
            throw new PeFormatException(INFO, "version", stream.fieldOffset(info, "version", 0),
                    "at least " + VC70 + " (VC70, the first version with a GUID)", String.valueOf(info.version()));
        }
        return info;
    }

    private static SectionRvas sections(MsfFile msf, DbiReader.Dbi dbi, List<String> warnings)
            throws PeFormatException {
        int index = dbi.sectionHeaderStream();
        if (index == DbiReader.NO_STREAM || !msf.has(index)) {
            warnings.add("the PDB has no section header stream, so its symbols have no RVAs");
            return SectionRvas.none();
        }
        return SectionRvas.read(msf.stream(index, "section_header_stream"), warnings);
    }

    private static TypeSizes types(MsfFile msf) throws PeFormatException {
        if (!msf.has(TypeSizes.STREAM) || msf.stream(TypeSizes.STREAM, "tpi_stream").size() == 0) {
            return TypeSizes.primitivesOnly();
        }
        return TypeSizes.read(msf.stream(TypeSizes.STREAM, "tpi_stream"));
    }

    private static List<PdbData> withSizes(List<SymbolCollector.RawData> raw, TypeSizes types, SectionRvas sections)
            throws PeFormatException {
        int[] typeIndices = new int[raw.size()];
        for (int i = 0; i < typeIndices.length; i++) {
            typeIndices[i] = raw.get(i).typeIndex();
        }
        long[] sizes = types.sizes(typeIndices);
        List<PdbData> out = new ArrayList<>(raw.size());
        for (int i = 0; i < sizes.length; i++) {
            SymbolCollector.RawData d = raw.get(i);
            out.add(new PdbData(d.name(), d.segment(), d.offset(), sections.rva(d.segment(), d.offset()),
                    d.typeIndex(), sizes[i], d.global(), d.threadLocal(), d.module()));
        }
        return out;
    }

    private static void requireStream(MsfFile msf, int index, String what) throws PeFormatException {
        if (!msf.has(index)) {
            throw new PeFormatException("msf_stream_directory", "num_streams", -1, "a " + what + " (stream "
                    + index + ")", msf.numStreams() + " streams" + (index < msf.numStreams() ? ", that one nil" : ""));
        }
    }

}
