package dev.hotpatch.report;

import dev.hotpatch.pe.LoadConfig;
import dev.hotpatch.pe.PeImage;

import java.util.Optional;

import static dev.hotpatch.report.ReportPart.hex;

/** Every field the load config directory holds (its Size decides which), guard fields and HotPatchTableOffset. */
final class LoadConfigPart implements ReportPart {
    private final Optional<LoadConfig> config;

    LoadConfigPart(PeImage image) {
        this.config = image.loadConfig();
    }

    @Override
    public void text(StringBuilder out) {
        if (config.isEmpty()) {
            out.append("Load config: none\n");
            return;
        }
        LoadConfig c = config.get();
        out.append("Load config (").append(c.size()).append(" bytes, ").append(c.fields().size()).append(" fields");
        c.hotPatchTableOffset().ifPresent(h -> out.append(", hot-patch table at ").append(hex(h)));
        out.append(", ").append(c.guardCfFunctions().size()).append(" CFG targets)\n");
        TextTable t = new TextTable();
        c.fields().forEach((name, value) -> t.row(name, hex(value)));
        out.append(t.render("  "));
    }

    @Override
    public void json(JsonWriter j) {
        j.name("loadConfig");
        if (config.isEmpty()) {
            j.nullValue();
            return;
        }
        LoadConfig c = config.get();
        j.beginObject().field("size", c.size());
        j.name("hotPatchTableOffset");
        if (c.hotPatchTableOffset().isPresent()) {
            j.value(c.hotPatchTableOffset().getAsLong());
        } else {
            j.nullValue();
        }
        j.field("guardCfFunctionCount", c.guardCfFunctions().size());
        j.name("fields").beginObject();
        c.fields().forEach(j::field);
        j.endObject().endObject();
    }
}
