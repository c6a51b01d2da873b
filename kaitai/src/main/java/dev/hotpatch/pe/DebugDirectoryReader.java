package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.CodeviewInfo;
import dev.hotpatch.kaitai.layout.DebugDirectory;
import dev.hotpatch.kaitai.layout.DebugExDllCharacteristics;
import dev.hotpatch.kaitai.layout.DebugRepro;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the debug directory: its entries (count = directory size / 28, bounded by
 * {@link Limits#MAX_DEBUG_ENTRIES}) and the data of the CodeView, REPRO and EX_DLLCHARACTERISTICS entries, found
 * by PointerToRawData (checked against the file) or, when that is 0, by AddressOfRawData.
 */
final class DebugDirectoryReader {
    /** Bytes per IMAGE_DEBUG_DIRECTORY; pinned against debug_directory.ksy by a unit test. */
    static final int ENTRY_SIZE = 28;
    private static final DirectoryKind KIND = DirectoryKind.DEBUG;

    private final StepInput in;

    DebugDirectoryReader(StepInput in) {
        this.in = in;
    }

    List<DebugEntry> read() throws PeFormatException {
        Optional<DataDirectory> found = in.directory(KIND);
        if (found.isEmpty()) {
            return List.of();
        }
        DataDirectory dir = found.get();
        String structure = StepInput.directoryName(KIND);
        if (dir.size() % ENTRY_SIZE != 0) {
            in.warn(structure + ".len " + hex(dir.size()) + " is not a multiple of the " + ENTRY_SIZE
                    + "-byte entry size; the last " + dir.size() % ENTRY_SIZE + " bytes are ignored");
        }
        long count = dir.size() / ENTRY_SIZE;
        Checks.atMost(count, Limits.MAX_DEBUG_ENTRIES, "MAX_DEBUG_ENTRIES", structure, "len",
                () -> in.directoryFieldOffset(KIND, "len"));
        long offset = in.map.requireFileOffset(dir.address(), count * ENTRY_SIZE, structure, "rva",
                () -> in.directoryFieldOffset(KIND, "rva"));
        int n = (int) count;
        DebugDirectory table = KaitaiParse.parse(in.bytes, "debug_directory", offset, count * ENTRY_SIZE,
                io -> new DebugDirectory(io, n));
        List<DebugEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(entry(i, table.entries().get(i), offset));
        }
        return List.copyOf(out);
    }

    private DebugEntry entry(int index, DebugDirectory.DebugEntry e, long base) throws PeFormatException {
        String name = "debug_entry[" + index + "]";
        DebugDirectory.DebugType known = DebugDirectory.DebugType.byId(e.type());
        String typeName = known != null ? known.name().toLowerCase(Locale.ROOT) : "type_" + e.type();
        long dataOffset = locate(name, e, base);
        Optional<DebugInfo> info = Optional.empty();
        if (e.type() == DebugEntry.TYPE_REPRO) {
            info = Optional.of(repro(name, e, base, dataOffset));
        } else if (dataOffset >= 0 && e.type() == DebugEntry.TYPE_CODEVIEW) {
            info = codeView(name, e, base, dataOffset);
        } else if (dataOffset >= 0 && e.type() == DebugEntry.TYPE_EX_DLLCHARACTERISTICS) {
            requireLength(name, e, base, 4, "at least 4 (one flags word)");
            DebugExDllCharacteristics x = KaitaiParse.parse(in.bytes, name + ".ex_dll_characteristics", dataOffset,
                    e.lenData(), DebugExDllCharacteristics::new);
            info = Optional.of(new DebugInfo.ExDllCharacteristics(x.flags()));
        }
        return new DebugEntry(index, e.characteristics(), e.timeDateStamp(), e.majorVersion(), e.minorVersion(),
                e.type(), typeName, e.lenData(), e.rvaData(), e.ofsData(), info);
    }

    /** The file offset of an entry's data, checked against the file, or -1 when it has none. */
    private long locate(String name, DebugDirectory.DebugEntry e, long base) throws PeFormatException {
        long len = e.lenData();
        if (len == 0) {
            return -1;
        }
        if (e.ofsData() != 0) {
            in.bytes.checkRange(name, "ofs_data", () -> fieldOffset(e, "ofs_data", base), e.ofsData(), len);
            if (e.rvaData() != 0) {
                long mapped = in.map.fileOffset(e.rvaData(), len);
                if (mapped >= 0 && mapped != e.ofsData()) {
                    in.warn(name + ".rva_data " + hex(e.rvaData()) + " maps to file offset " + hex(mapped)
                            + " but ofs_data is " + hex(e.ofsData()) + "; ofs_data is used");
                }
            }
            return e.ofsData();
        }
        if (e.rvaData() != 0) {
            return in.map.requireFileOffset(e.rvaData(), len, name, "rva_data",
                    () -> fieldOffset(e, "rva_data", base));
        }
        in.warn(name + " has " + hex(len) + " bytes of data but neither a file offset nor an RVA; its data"
                + " is not read");
        return -1;
    }

    private Optional<DebugInfo> codeView(String name, DebugDirectory.DebugEntry e, long base, long dataOffset)
            throws PeFormatException {
        Checks.atMost(e.lenData(), Limits.MAX_CODEVIEW_LENGTH, "MAX_CODEVIEW_LENGTH", name, "len_data",
                () -> fieldOffset(e, "len_data", base));
        CodeviewInfo cv = KaitaiParse.parse(in.bytes, name + ".codeview", dataOffset, e.lenData(),
                CodeviewInfo::new);
        if (cv.pdb70() != null) {
            CodeviewInfo.Guid g = cv.pdb70().guid();
            return Optional.of(new CodeViewInfo("RSDS", Guids.format(g.data1(), g.data2(), g.data3(), g.data4()),
                    cv.pdb70().age(), cv.pdb70().pdbPath()));
        }
        if (cv.pdb20() != null) {
            return Optional.of(new CodeViewInfo("NB10", String.format(Locale.ROOT, "%08x",
                    cv.pdb20().pdbSignature()), cv.pdb20().age(), cv.pdb20().pdbPath()));
        }
        in.warn(name + ".codeview.signature " + hex(cv.signature()) + " is neither RSDS nor NB10; it is not read");
        return Optional.empty();
    }

    private DebugInfo repro(String name, DebugDirectory.DebugEntry e, long base, long dataOffset)
            throws PeFormatException {
        if (e.lenData() == 0 || dataOffset < 0) {
            return new DebugInfo.Repro(new byte[0]);
        }
        requireLength(name, e, base, 4, "0 or at least 4 (a hash length word)");
        DebugRepro r = KaitaiParse.parse(in.bytes, name + ".repro", dataOffset, e.lenData(), DebugRepro::new);
        long hashOffset = fieldOffset(r, "len_hash", dataOffset);
        long room = e.lenData() - KaitaiParse.fieldEnd(r, "len_hash", 0);
        if (r.lenHash() > room) {
            throw new PeFormatException(name + ".repro", "len_hash", hashOffset,
                    "at most " + hex(room) + " (the rest of the entry's data)", hex(r.lenHash()));
        }
        Checks.atMost(r.lenHash(), Limits.MAX_REPRO_HASH_LENGTH, "MAX_REPRO_HASH_LENGTH", name + ".repro",
                "len_hash", hashOffset);
        byte[] hash = KaitaiParse.parse(r._io(), name + ".repro", dataOffset, e.lenData(), io -> r.hash());
        return new DebugInfo.Repro(hash);
    }

    private static void requireLength(String name, DebugDirectory.DebugEntry e, long base, long min, String expected)
            throws PeFormatException {
        if (e.lenData() < min) {
            throw new PeFormatException(name, "len_data", fieldOffset(e, "len_data", base), expected,
                    hex(e.lenData()));
        }
    }
}
