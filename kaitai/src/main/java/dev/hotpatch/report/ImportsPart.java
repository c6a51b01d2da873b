package dev.hotpatch.report;

import dev.hotpatch.pe.ImportedFunction;
import dev.hotpatch.pe.ImportedModule;
import dev.hotpatch.pe.PeImage;

import java.util.ArrayList;
import java.util.List;

import static dev.hotpatch.report.ReportPart.hex;

/** The import and delay-load import directories, with each IAT slot's RVA. */
final class ImportsPart implements ReportPart {
    private final List<ImportedModule> modules = new ArrayList<>();

    ImportsPart(PeImage image) {
        modules.addAll(image.imports());
        modules.addAll(image.delayImports());
    }

    @Override
    public void text(StringBuilder out) {
        int functions = modules.stream().mapToInt(m -> m.functions().size()).sum();
        out.append("Imports (").append(functions).append(" from ").append(modules.size()).append(" DLLs)\n");
        for (ImportedModule m : modules) {
            out.append("  ").append(m.dllName()).append(m.delayLoad() ? " (delay-load)" : "")
                    .append(", IAT at ").append(hex(m.firstThunk())).append('\n');
            TextTable t = new TextTable();
            for (ImportedFunction f : m.functions()) {
                t.row(hex(f.iatRva()), f.name().orElse("ordinal " + f.ordinal()),
                        f.isByOrdinal() ? "" : "hint " + f.hint());
            }
            out.append(t.render("    "));
        }
    }

    @Override
    public void json(JsonWriter j) {
        j.name("imports").beginArray();
        for (ImportedModule m : modules) {
            j.beginObject().field("dll", m.dllName()).field("delayLoad", m.delayLoad())
                    .field("iatRva", m.firstThunk());
            j.name("functions").beginArray();
            for (ImportedFunction f : m.functions()) {
                j.beginObject().field("name", f.name().orElse(null));
                j.name("ordinal");
                if (f.isByOrdinal()) {
                    j.value(f.ordinal());
                } else {
                    j.nullValue();
                }
                j.name("hint");                         // an ordinal import has none (-1 in the model)
                if (f.isByOrdinal()) {
                    j.nullValue();
                } else {
                    j.value(f.hint());
                }
                j.field("iatRva", f.iatRva()).endObject();
            }
            j.endArray().endObject();
        }
        j.endArray();
    }
}
