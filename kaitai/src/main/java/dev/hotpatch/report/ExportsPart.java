package dev.hotpatch.report;

import dev.hotpatch.pe.ExportEntry;
import dev.hotpatch.pe.ExportTable;
import dev.hotpatch.pe.PeImage;

import static dev.hotpatch.report.ReportPart.hex;

/** The export directory: every export with ordinal, name, RVA or forwarder. */
final class ExportsPart implements ReportPart {
    private final PeImage image;

    ExportsPart(PeImage image) {
        this.image = image;
    }

    @Override
    public void text(StringBuilder out) {
        if (image.exports().isEmpty()) {
            out.append("Exports: none\n");
            return;
        }
        ExportTable table = image.exports().get();
        out.append("Exports (").append(table.entries().size()).append(") of ")
                .append(table.dllName().isEmpty() ? "(no DLL name)" : table.dllName())
                .append(", ordinal base ").append(table.ordinalBase()).append('\n');
        TextTable t = new TextTable().header("ordinal", "name", "rva / forwarder");
        for (ExportEntry e : table.entries()) {
            t.row(Long.toString(e.ordinal()), e.name().orElse("(by ordinal)"),
                    e.forwarder().map(f -> "-> " + f).orElse(hex(e.rva())));
        }
        out.append(t.render("  "));
    }

    @Override
    public void json(JsonWriter j) {
        j.name("exports");
        if (image.exports().isEmpty()) {
            j.nullValue();
            return;
        }
        ExportTable table = image.exports().get();
        j.beginObject().field("dllName", table.dllName()).field("ordinalBase", table.ordinalBase())
                .field("timeDateStamp", table.timeDateStamp());
        j.name("entries").beginArray();
        for (ExportEntry e : table.entries()) {
            j.beginObject().field("ordinal", e.ordinal()).field("name", e.name().orElse(null))
                    .field("rva", e.rva()).field("forwarder", e.forwarder().orElse(null)).endObject();
        }
        j.endArray().endObject();
    }
}
