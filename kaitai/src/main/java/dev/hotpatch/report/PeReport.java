package dev.hotpatch.report;

import dev.hotpatch.pe.PeImage;

import java.util.List;

/**
 * What {@code hotpatch inspect} shows about a PE image, as text for people and JSON for machines, with the
 * same facts in both. Each part of the report is its own class.
 */
public final class PeReport {
    private final List<ReportPart> parts;

    public PeReport(PeImage image) {
        this(image, List.of());
    }

    /** The report with more parts after the PE's own (such as the hot-patch tables of a patch image). */
    public PeReport(PeImage image, List<ReportPart> more) {
        List<ReportPart> all = new java.util.ArrayList<>(List.of(new HeadersPart(image), new SectionsPart(image),
                new FunctionsPart(image), new ExportsPart(image), new ImportsPart(image), new RelocationsPart(image),
                new TlsPart(image), new LoadConfigPart(image), new DebugPart(image), new SignaturePart(image),
                new SymbolsPart(image), new WarningsPart(image)));
        all.addAll(more);
        this.parts = List.copyOf(all);
    }

    public String toText() {
        StringBuilder out = new StringBuilder();
        for (ReportPart part : parts) {
            if (out.length() > 0) {
                out.append('\n');
            }
            part.text(out);
        }
        return out.toString();
    }

    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject();
        parts.forEach(p -> p.json(json));
        return json.endObject().toString();
    }
}
