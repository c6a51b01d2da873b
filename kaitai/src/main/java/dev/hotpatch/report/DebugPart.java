package dev.hotpatch.report;

import dev.hotpatch.pe.CodeViewInfo;
import dev.hotpatch.pe.DebugEntry;
import dev.hotpatch.pe.DebugInfo;
import dev.hotpatch.pe.PeImage;

import java.util.HexFormat;
import java.util.List;

import static dev.hotpatch.report.ReportPart.hex;

/** The debug directory: CodeView (PDB path, GUID, age), REPRO hash, extended DLL characteristics. */
final class DebugPart implements ReportPart {
    private final List<DebugEntry> entries;

    DebugPart(PeImage image) {
        this.entries = image.debugEntries();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Debug directory: ").append(entries.isEmpty() ? "none" : entries.size() + " entries").append('\n');
        for (DebugEntry e : entries) {
            out.append("  ").append(e.typeName()).append(", ").append(hex(e.sizeOfData())).append(" bytes at file ")
                    .append(hex(e.pointerToRawData()));
            e.info().ifPresent(info -> out.append(": ").append(describe(info)));
            out.append('\n');
        }
    }

    @Override
    public void json(JsonWriter j) {
        j.name("debug").beginArray();
        for (DebugEntry e : entries) {
            j.beginObject().field("type", e.typeName()).field("typeCode", e.type()).field("size", e.sizeOfData())
                    .field("rva", e.addressOfRawData()).field("fileOffset", e.pointerToRawData())
                    .field("timeDateStamp", e.timeDateStamp());
            if (e.info().isPresent()) {
                DebugInfo info = e.info().get();
                if (info instanceof CodeViewInfo cv) {
                    j.name("codeView").beginObject().field("signature", cv.signature()).field("guid", cv.guid())
                            .field("age", cv.age()).field("pdbPath", cv.pdbPath()).endObject();
                } else if (info instanceof DebugInfo.Repro repro) {
                    j.field("reproHash", HexFormat.of().formatHex(repro.hash()));
                } else if (info instanceof DebugInfo.ExDllCharacteristics ex) {
                    j.field("exDllCharacteristics", ex.flags());
                }
            }
            j.endObject();
        }
        j.endArray();
    }

    private static String describe(DebugInfo info) {
        if (info instanceof CodeViewInfo cv) {
            return "PDB " + cv.pdbPath() + ", GUID " + cv.guid() + ", age " + cv.age();
        }
        if (info instanceof DebugInfo.Repro repro) {
            return "repro hash " + HexFormat.of().formatHex(repro.hash());
        }
        if (info instanceof DebugInfo.ExDllCharacteristics ex) {
            return "flags " + hex(ex.flags()) + (ex.cetCompatible() ? " (CET compatible)" : "");
        }
        return info.toString();
    }
}
