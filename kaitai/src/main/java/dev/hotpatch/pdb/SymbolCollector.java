package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.PdbModuleStream;
import dev.hotpatch.kaitai.layout.bulk.CvSymbol;
import dev.hotpatch.pe.PeFormatException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Gathers procedures, data symbols and publics from the module symbol streams and the symbol record stream.
 * Module streams come first, so a data symbol found in both keeps its module; a procedure or data symbol the
 * symbol record stream repeats is listed once. Each list is bounded by {@link PdbLimits#MAX_SYMBOLS}.
 */
final class SymbolCollector {
    private static final long CV_SIGNATURE_C13 = 4;
    private static final int SIGNATURE_SIZE = 4;   // pdb_module_stream.signature

    /** A data symbol before its type's size is known. */
    record RawData(String name, int segment, long offset, int typeIndex, boolean global, boolean threadLocal,
                   String module) {}

    private final SectionRvas sections;
    private final List<String> warnings;
    private final List<PdbProcedure> procedures = new ArrayList<>();
    private final Map<String, RawData> data = new LinkedHashMap<>();
    private final List<PdbPublic> publics = new ArrayList<>();
    private Set<String> procedureKeys;   // built only if the symbol record stream holds procedures
    private long recordFileOffset;       // of the record being read, for errors

    SymbolCollector(SectionRvas sections, List<String> warnings) {
        this.sections = sections;
        this.warnings = warnings;
    }

    List<PdbProcedure> procedures() { return procedures; }

    List<RawData> data() { return List.copyOf(data.values()); }

    List<PdbPublic> publics() { return publics; }

    /** Reads the symbol records of one module's stream: [4, len_symbols) after the C13 signature. */
    void module(MsfFile msf, DbiReader.Module m) throws PeFormatException {
        String entry = "dbi_stream.module_info[" + m.index() + "]";
        if (m.symbolStream() == DbiReader.NO_STREAM || m.lenSymbols() == 0) {
            return;
        }
        if (!msf.has(m.symbolStream())) {
            throw new PeFormatException(entry, "symbol_stream", m.symbolStreamFileOffset(),
                    "a stream of the PDB (below " + msf.numStreams() + ", not nil)", String.valueOf(m.symbolStream()));
        }
        MsfStream stream = msf.stream(m.symbolStream(), "module_stream[" + m.index() + "]");
        if (m.lenSymbols() < SIGNATURE_SIZE || m.lenSymbols() > stream.size()) {
            throw new PeFormatException(entry, "len_symbols", m.lenSymbolsFileOffset(), "4 to " + hex(stream.size())
                    + " (a signature and symbols inside stream " + m.symbolStream() + ")", hex(m.lenSymbols()));
        }
        PdbModuleStream head = stream.parse(stream.name(), 0, SIGNATURE_SIZE, PdbModuleStream::new);
        if (head.signature() != CV_SIGNATURE_C13) {
            warnings.add("the symbols of module " + m.name() + " (" + stream.name() + ") have signature "
                    + head.signature() + ", not 4 (CodeView C13); they are not read");
            return;
        }
        String records = stream.name() + ".symbol";
        CvRecords.walk(stream, SIGNATURE_SIZE, m.lenSymbols(), records,
                (index, kind, recordPos, bodyPos, bodyLen) -> {
                    symbol(stream, records, index, kind, recordPos, bodyPos, bodyLen, m.name(), false);
                    return true;
                });
    }

    /** Reads the symbol record stream (globals and publics) that the DBI header names. */
    void symbolRecords(MsfStream stream) throws PeFormatException {
        String records = stream.name() + ".symbol";
        CvRecords.walk(stream, 0, stream.size(), records, (index, kind, recordPos, bodyPos, bodyLen) -> {
            symbol(stream, records, index, kind, recordPos, bodyPos, bodyLen, "", true);
            return true;
        });
    }

    /** One record: parsed when it is a kind cv_symbol describes, else skipped. */
    private void symbol(MsfStream stream, String records, int index, int kind, long recordPos, long bodyPos,
                        int bodyLen, String module, boolean fromRecordStream) throws PeFormatException {
        CvSymbol.SymbolKind known = CvSymbol.SymbolKind.byId(kind);
        if (known == null) {
            return;
        }
        String structure = records + "[" + index + "]";
        recordFileOffset = stream.fileOffset(recordPos);
        CvSymbol s;
        try {
            s = stream.parse(structure, bodyPos, bodyLen, io -> new CvSymbol(io, kind));
        } catch (PeFormatException e) {
            throw CvRecords.tooShort(stream, structure, recordPos, known.name().toUpperCase(Locale.ROOT), bodyLen);
        }
        switch (known) {
            case S_GPROC32, S_LPROC32, S_GPROC32_ID, S_LPROC32_ID ->
                    procedure((CvSymbol.ProcSym) s.body(), known, module, fromRecordStream, structure);
            case S_GDATA32, S_LDATA32, S_GTHREAD32, S_LTHREAD32 -> data((CvSymbol.DataSym) s.body(), known, module,
                    structure);
            case S_PUB32 -> {
                CvSymbol.PublicSym p = (CvSymbol.PublicSym) s.body();
                limit(publics.size(), "publics", structure);
                publics.add(new PdbPublic(p.name(), p.segment(), p.offset(), sections.rva(p.segment(), p.offset()),
                        p.isFunction()));
            }
        }
    }

    private void procedure(CvSymbol.ProcSym p, CvSymbol.SymbolKind kind, String module, boolean fromRecordStream,
                           String structure) throws PeFormatException {
        String key = p.name() + "@" + p.segment() + ":" + p.offset();
        if (fromRecordStream) {
            if (procedureKeys == null) {
                procedureKeys = new HashSet<>();
                for (PdbProcedure q : procedures) {
                    procedureKeys.add(q.name() + "@" + q.segment() + ":" + q.offset());
                }
            }
            if (!procedureKeys.add(key)) {
                return;
            }
        }
        limit(procedures.size(), "procedures", structure);
        boolean global = kind == CvSymbol.SymbolKind.S_GPROC32 || kind == CvSymbol.SymbolKind.S_GPROC32_ID;
        procedures.add(new PdbProcedure(p.name(), p.segment(), p.offset(), p.lenCode(),
                sections.rva(p.segment(), p.offset()), module, global));
    }

    private void data(CvSymbol.DataSym d, CvSymbol.SymbolKind kind, String module, String structure)
            throws PeFormatException {
        boolean global = kind == CvSymbol.SymbolKind.S_GDATA32 || kind == CvSymbol.SymbolKind.S_GTHREAD32;
        boolean threadLocal = kind == CvSymbol.SymbolKind.S_GTHREAD32 || kind == CvSymbol.SymbolKind.S_LTHREAD32;
        String key = d.name() + "@" + d.segment() + ":" + d.offset() + (global ? "g" : "l") + (threadLocal ? "t" : "");
        if (data.containsKey(key)) {
            return;
        }
        limit(data.size(), "data symbols", structure);
        data.put(key, new RawData(d.name(), d.segment(), d.offset(), (int) d.typeIndex(), global, threadLocal,
                module));
    }

    private void limit(int count, String what, String structure) throws PeFormatException {
        if (count >= PdbLimits.MAX_SYMBOLS) {
            throw new PeFormatException(structure, "kind", recordFileOffset, "at most " + PdbLimits.MAX_SYMBOLS
                    + " " + what + " in the PDB (PdbLimits.MAX_SYMBOLS)", "one more");
        }
    }
}
