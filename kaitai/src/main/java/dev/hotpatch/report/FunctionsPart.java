package dev.hotpatch.report;

import dev.hotpatch.pe.FunctionInventory;
import dev.hotpatch.pe.FunctionSource;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.RuntimeFunctions;

import java.util.Map;

/** How many functions the image's own metadata names, and which source found them. */
final class FunctionsPart implements ReportPart {
    private final PeImage image;
    private final FunctionInventory inventory;

    FunctionsPart(PeImage image) {
        this.image = image;
        this.inventory = FunctionInventory.of(image);
    }

    @Override
    public void text(StringBuilder out) {
        RuntimeFunctions pdata = image.runtimeFunctions();
        out.append("Functions (").append(inventory.count()).append(" distinct starts from the image's metadata)\n");
        TextTable t = new TextTable().header("source", "starts");
        for (Map.Entry<FunctionSource, Integer> e : inventory.countsBySource().entrySet()) {
            t.row(e.getKey().id(), Integer.toString(e.getValue()));
        }
        out.append(t.render("  "));
        out.append("  .pdata entries: ").append(pdata.size()).append(" (").append(fragments(pdata))
                .append(" fragments)\n");
    }

    @Override
    public void json(JsonWriter j) {
        RuntimeFunctions pdata = image.runtimeFunctions();
        j.name("functions").beginObject();
        j.field("count", inventory.count());
        j.name("bySource").beginObject();
        inventory.countsBySource().forEach((source, n) -> j.field(source.id(), n));
        j.endObject();
        j.field("pdataEntries", pdata.size());
        j.field("pdataFragments", fragments(pdata));
        j.endObject();
    }

    private static int fragments(RuntimeFunctions pdata) {
        int n = 0;
        for (int i = 0; i < pdata.size(); i++) {
            n += pdata.get(i).fragment() ? 1 : 0;
        }
        return n;
    }
}
