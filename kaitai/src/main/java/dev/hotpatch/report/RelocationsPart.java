package dev.hotpatch.report;

import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.BaseRelocations;
import dev.hotpatch.pe.PeImage;

import java.util.Locale;
import java.util.Map;

/** A summary of the base relocations: how many sites of each type. */
final class RelocationsPart implements ReportPart {
    private final BaseRelocations relocations;

    RelocationsPart(PeImage image) {
        this.relocations = image.relocations();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Base relocations: ").append(relocations.count()).append(" sites");
        Map<BaseRelocationType, Integer> counts = relocations.countsByType();
        if (!counts.isEmpty()) {
            StringBuilder types = new StringBuilder();
            counts.forEach((type, n) -> types.append(types.length() == 0 ? "" : ", ")
                    .append(type.name().toLowerCase(Locale.ROOT)).append(' ').append(n));
            out.append(" (").append(types).append(')');
        }
        out.append('\n');
    }

    @Override
    public void json(JsonWriter j) {
        j.name("relocations").beginObject().field("sites", relocations.count());
        j.name("byType").beginObject();
        relocations.countsByType().forEach((type, n) -> j.field(type.name().toLowerCase(Locale.ROOT), n));
        j.endObject().endObject();
    }
}
