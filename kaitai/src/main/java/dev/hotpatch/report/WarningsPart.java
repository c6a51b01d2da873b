package dev.hotpatch.report;

import dev.hotpatch.pe.PeImage;

import java.util.List;

/** Recoverable oddities found while reading. */
final class WarningsPart implements ReportPart {
    private final List<String> warnings;

    WarningsPart(PeImage image) {
        this.warnings = image.warnings();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Warnings: ").append(warnings.isEmpty() ? "none" : Integer.toString(warnings.size())).append('\n');
        warnings.forEach(w -> out.append("  ").append(w).append('\n'));
    }

    @Override
    public void json(JsonWriter j) {
        j.name("warnings").beginArray();
        warnings.forEach(j::value);
        j.endArray();
    }
}
