package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.PdbDbiStream;
import dev.hotpatch.pe.PeFormatException;

import java.util.ArrayList;
import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the DBI stream (stream 3): its header, the module info substream (one entry per compiland: its names
 * and the stream holding its symbols) and the optional debug header (which names the section header stream).
 * Every substream size is checked to be non-negative and, with those before it, inside the stream.
 */
final class DbiReader {
    static final int STREAM = 3;
    /** The stream index that means "none" wherever the DBI names a stream. */
    static final int NO_STREAM = 0xffff;
    private static final String DBI = "dbi_stream";
    private static final int HEADER_SIZE = 64;                  // pdb_dbi_stream seq
    private static final long VERSION_SIGNATURE = -1;
    private static final long V70 = 19990903;
    private static final long V110 = 20091201;
    private static final int SECTION_HEADER_SLOT = 5;           // optional_debug_header.section_header_slot

    /** What the rest of the reader needs from the DBI stream. */
    record Dbi(long age, int symbolRecordStream, int sectionHeaderStream, List<Module> modules) {}

    /** One module info entry. */
    record Module(int index, String name, String objectName, int symbolStream, long lenSymbols,
                  long symbolStreamFileOffset, long lenSymbolsFileOffset) {}

    private final MsfStream stream;
    private final List<String> warnings;

    DbiReader(MsfStream stream, List<String> warnings) {
        this.stream = stream;
        this.warnings = warnings;
    }

    Dbi read() throws PeFormatException {
        if (stream.size() < HEADER_SIZE) {
            throw new PeFormatException(DBI, "extent", stream.fileOffset(0), "at least " + HEADER_SIZE
                    + " bytes (the DBI header)", stream.size() + " bytes");
        }
        PdbDbiStream h = stream.parse(DBI, 0, HEADER_SIZE, PdbDbiStream::new);
        if (h.versionSignature() != VERSION_SIGNATURE) {
            throw new PeFormatException(DBI, "version_signature", field(h, "version_signature"), "-1",
                    String.valueOf(h.versionSignature()));
        }
        if (h.version() != V70 && h.version() != V110) {
            throw new PeFormatException(DBI, "version", field(h, "version"), V70 + " (V70) or " + V110 + " (V110)",
                    String.valueOf(h.version()));
        }
        checkSubstreamSizes(h);
        List<Module> modules = modules(h);
        return new Dbi(h.age(), h.symbolRecordStream(), sectionHeaderStream(h), List.copyOf(modules));
    }

    private void checkSubstreamSizes(PdbDbiStream h) throws PeFormatException {
        String[] fields = {"len_module_info", "len_section_contributions", "len_section_map", "len_source_info",
                "len_type_server_map", "len_ec_info", "len_optional_debug_header"};
        int[] sizes = {h.lenModuleInfo(), h.lenSectionContributions(), h.lenSectionMap(), h.lenSourceInfo(),
                h.lenTypeServerMap(), h.lenEcInfo(), h.lenOptionalDebugHeader()};
        long end = HEADER_SIZE;
        for (int i = 0; i < fields.length; i++) {
            long room = stream.size() - end;
            if (sizes[i] < 0 || sizes[i] > room) {
                throw new PeFormatException(DBI, fields[i], field(h, fields[i]), "0 to " + hex(room)
                        + " (the rest of the DBI stream after the header and the substreams before this one)",
                        sizes[i] + " (" + hex(sizes[i] & 0xffffffffL) + ")");
            }
            end += sizes[i];
        }
    }

    private List<Module> modules(PdbDbiStream h) throws PeFormatException {
        List<Module> out = new ArrayList<>();
        long pos = HEADER_SIZE;
        long end = HEADER_SIZE + (long) h.lenModuleInfo();
        while (pos < end) {
            int index = out.size();
            String structure = DBI + ".module_info[" + index + "]";
            if (index >= PdbLimits.MAX_MODULES) {
                throw new PeFormatException(DBI, "len_module_info", field(h, "len_module_info"),
                        "at most " + PdbLimits.MAX_MODULES + " module info entries (PdbLimits.MAX_MODULES)",
                        "more in " + hex(h.lenModuleInfo()) + " bytes");
            }
            long len = Math.min(end - pos, PdbLimits.MAX_MODULE_INFO_SIZE);
            long at = pos;
            PdbDbiStream.ModuleInfo m;
            try {
                m = stream.parse(structure, pos, len, PdbDbiStream.ModuleInfo::new);
            } catch (PeFormatException e) {
                throw new PeFormatException(structure, "module_name", stream.fileOffset(at),
                        "an entry of 64 bytes and two NUL-terminated names of at most "
                                + dev.hotpatch.pe.Limits.MAX_NAME_LENGTH + " bytes inside the module info substream",
                        "none in the " + hex(len) + " bytes left");
            }
            out.add(new Module(index, m.moduleName(), m.objectName(), m.symbolStream(), m.lenSymbols(),
                    stream.fieldOffset(m, "symbol_stream", pos), stream.fieldOffset(m, "len_symbols", pos)));
            pos = (pos + m._io().pos() + 3) & ~3L;   // entries are 4-byte aligned
        }
        return out;
    }

    /** The section header stream that entry 5 of the optional debug header names, or NO_STREAM. */
    private int sectionHeaderStream(PdbDbiStream h) throws PeFormatException {
        long len = h.lenOptionalDebugHeader();
        if (len % 2 != 0) {
            warnings.add(DBI + ".len_optional_debug_header " + len + " is odd; the last byte is ignored");
        }
        long entries = Math.min(len / 2, PdbLimits.MAX_DEBUG_HEADER_STREAMS);
        if (entries <= SECTION_HEADER_SLOT) {
            return NO_STREAM;
        }
        long pos = h.ofsOptionalDebugHeader();
        PdbDbiStream.OptionalDebugHeader d = stream.parse(DBI + ".optional_debug_header", pos, entries * 2,
                io -> new PdbDbiStream.OptionalDebugHeader(io, entries));
        return d.streams().get(d.sectionHeaderSlot());
    }

    private long field(PdbDbiStream h, String id) {
        return stream.fieldOffset(h, id, 0);
    }
}
