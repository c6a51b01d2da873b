package dev.hotpatch.differ.render;

import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.differ.classify.FirstDifference;
import dev.hotpatch.differ.classify.FunctionDiff;
import dev.hotpatch.differ.classify.GlobalDiff;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.differ.functions.Found;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.io.Sha256;
import dev.hotpatch.report.JsonWriter;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The differ's result for people (text) and for programs (JSON); both carry the same facts. */
public final class DiffReport {
    private final DiffResult r;

    public DiffReport(DiffResult result) {
        this.r = result;
    }

    /** The whole report: the verdict and counts, why it cannot be hotpatched (first), then every difference. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        header(out);
        side(out, "old", r.oldImage());
        side(out, "new", r.newImage());
        findings(out);
        details(out);
        return out.toString();
    }

    /**
     * The verdict, the counts, why it cannot be hotpatched, and the names of what differs, without the per-function
     * details: what a person reads first on a large pair.
     */
    public String toSummary() {
        StringBuilder out = new StringBuilder();
        header(out);
        findings(out);
        names(out, "changed functions", r.withStatus(Status.CHANGED));
        names(out, "new functions", r.withStatus(Status.NEW));
        names(out, "deleted functions (the base keeps them)", r.withStatus(Status.DELETED));
        if (!r.globals().isEmpty()) {
            out.append("\nglobals\n");
            for (GlobalDiff g : r.globals()) {
                out.append("  ").append(g.status() == Status.NEW ? "new      " : "changed  ").append(g.name()).append('\n');
            }
        }
        return out.toString();
    }

    private void header(StringBuilder out) {
        out.append("old: ").append(r.oldImage().path()).append('\n');
        out.append("new: ").append(r.newImage().path()).append('\n');
        out.append("machine: ").append(r.newImage().machine()).append('\n');
        out.append("verdict: ").append(r.verdict().label()).append('\n');
        int listed = r.sameFunctions() + r.withStatus(Status.CHANGED).size() + r.withStatus(Status.DELETED).size();
        out.append(String.format(Locale.ROOT, "functions: %d same, %d changed, %d new, %d deleted%s%n", r.sameFunctions(),
                r.withStatus(Status.CHANGED).size(), r.withStatus(Status.NEW).size(), r.withStatus(Status.DELETED).size(),
                listed < r.oldImage().functions() ? " (" + (r.oldImage().functions() - listed)
                        + " import and jump thunks, compared through their callers)" : ""));
    }

    private void findings(StringBuilder out) {
        if (!r.findings().isEmpty()) {
            out.append("\ncannot be hotpatched\n");
            for (Finding f : r.findings()) {
                out.append("  ").append(f.message()).append('\n');
                out.append("    instead: ").append(f.advice()).append('\n');
            }
        }
    }

    private static void names(StringBuilder out, String title, List<FunctionDiff> fs) {
        if (!fs.isEmpty()) {
            out.append('\n').append(title).append('\n');
            fs.forEach(f -> out.append("  ").append(f.name()).append('\n'));
        }
    }

    private void details(StringBuilder out) {
        List<FunctionDiff> changed = r.withStatus(Status.CHANGED);
        if (!changed.isEmpty()) {
            out.append("\nchanged functions\n");
            for (FunctionDiff f : changed) {
                out.append(String.format(Locale.ROOT, "  %s  %d -> %d bytes  at 0x%x -> 0x%x  matched by %s (confidence %.2f)%n",
                        f.name(), f.oldSize(), f.newSize(), f.oldRva(), f.newRva(), f.method().label(), f.method().confidence()));
                out.append("    found by: ").append(String.join(", ", f.foundBy().stream().map(Found::label).toList())).append('\n');
                FirstDifference d = f.difference();
                if (d != null) {
                    out.append(d.index() >= 0 ? "    first difference at instruction " + d.index() + ":\n"
                            : "    the instructions agree:\n");
                    out.append("      old: ").append(d.oldInstruction()).append('\n');
                    out.append("      new: ").append(d.newInstruction()).append('\n');
                }
            }
        }
        list(out, "new functions", r.withStatus(Status.NEW), true);
        list(out, "deleted functions (the base keeps them; nothing to patch)", r.withStatus(Status.DELETED), false);
        if (!r.globals().isEmpty()) {
            out.append("\nglobals\n");
            for (GlobalDiff g : r.globals()) {
                if (g.status() == Status.NEW) {
                    out.append(String.format(Locale.ROOT, "  new      %s (%d bytes)%n", g.name(), g.newSize()));
                } else if (g.reason().equals("size")) {
                    out.append(String.format(Locale.ROOT, "  changed  %s: size %d -> %d bytes%n", g.name(), g.oldSize(), g.newSize()));
                } else {
                    out.append(String.format(Locale.ROOT, "  changed  %s: initial value%n", g.name()));
                }
            }
        }
        if (!r.newImports().isEmpty()) {
            out.append("\nnew imports\n");
            r.newImports().forEach(i -> out.append("  ").append(i).append('\n'));
        }
        if (!r.removedExports().isEmpty()) {
            out.append("\nremoved exports (the base keeps them)\n");
            r.removedExports().forEach(e -> out.append("  ").append(e).append('\n'));
        }
    }

    private static void side(StringBuilder out, String label, DiffResult.ImageSummary s) {
        FunctionTable.Coverage c = s.coverage();
        double pct = c.executableBytes() == 0 ? 100.0 : 100.0 * c.coveredBytes() / c.executableBytes();
        out.append(String.format(Locale.ROOT,
                "%s image: %d functions, %d instructions, %.1f%% of %d executable bytes in functions "
                        + "(metadata %d, descent %d, gaps %d)%s%n", label, s.functions(), s.instructions(), pct,
                c.executableBytes(), c.metadataBytes(), c.descentBytes(), c.gapBytes(),
                s.undecodable() > 0 ? ", " + s.undecodable() + " undecodable bytes skipped" : ""));
        StringBuilder by = new StringBuilder();
        for (Map.Entry<Found, Integer> e : s.foundBy().entrySet()) {
            if (e.getValue() > 0) {
                by.append(by.length() == 0 ? "" : ", ").append(e.getKey().label()).append(' ').append(e.getValue());
            }
        }
        out.append("  found by: ").append(by).append('\n');
        for (String w : s.warnings()) {
            out.append("  warning: ").append(w).append('\n');
        }
    }

    private static void list(StringBuilder out, String title, List<FunctionDiff> fs, boolean isNew) {
        if (fs.isEmpty()) {
            return;
        }
        out.append('\n').append(title).append('\n');
        for (FunctionDiff f : fs) {
            out.append(String.format(Locale.ROOT, "  %s  %d bytes  at 0x%x%n", f.name(), isNew ? f.newSize() : f.oldSize(),
                    isNew ? f.newRva() : f.oldRva()));
        }
    }

    public String toJson() {
        JsonWriter w = new JsonWriter();
        w.beginObject();
        w.field("schema_version", 1);
        w.field("verdict", r.verdict().label().replace(' ', '_'));
        w.field("exit_code", r.verdict().exitCode());
        w.name("old");
        image(w, r.oldImage());
        w.name("new");
        image(w, r.newImage());
        w.name("summary").beginObject()
                .field("same", r.sameFunctions())
                .field("changed", r.withStatus(Status.CHANGED).size())
                .field("new", r.withStatus(Status.NEW).size())
                .field("deleted", r.withStatus(Status.DELETED).size())
                .endObject();
        w.name("findings").beginArray();
        for (Finding f : r.findings()) {
            w.beginObject().field("kind", f.kind().id()).field("subject", f.subject()).field("message", f.message())
                    .field("advice", f.advice()).endObject();
        }
        w.endArray();
        w.name("functions").beginArray();
        for (FunctionDiff f : r.functions()) {
            w.beginObject().field("status", f.status().label()).field("name", f.name());
            if (f.symbol() != null) {
                w.field("symbol", f.symbol());
            }
            if (f.oldIndex() >= 0) {
                w.field("old_rva", f.oldRva()).field("old_size", f.oldSize());
            }
            if (f.newIndex() >= 0) {
                w.field("new_rva", f.newRva()).field("new_size", f.newSize());
            }
            w.name("found_by").beginArray();
            f.foundBy().forEach(x -> w.value(x.label()));
            w.endArray();
            if (f.method() != null) {
                w.name("match").beginObject().field("method", f.method().label())
                        .field("confidence_percent", Math.round(f.method().confidence() * 100)).endObject();
            }
            if (f.difference() != null) {
                w.name("first_difference").beginObject();
                if (f.difference().index() >= 0) {
                    w.field("index", f.difference().index());
                } else {
                    w.field("same_instructions", true);     // what differs is a function or global referred to
                }
                w.field("old", f.difference().oldInstruction()).field("new", f.difference().newInstruction()).endObject();
            }
            w.endObject();
        }
        w.endArray();
        w.name("globals").beginArray();
        for (GlobalDiff g : r.globals()) {
            w.beginObject().field("status", g.status().label()).field("name", g.name());
            if (g.oldRva() >= 0) {
                w.field("old_rva", g.oldRva()).field("old_size", g.oldSize());
            }
            w.field("new_rva", g.newRva()).field("new_size", g.newSize());
            if (!g.reason().isEmpty()) {
                w.field("reason", g.reason());
            }
            w.endObject();
        }
        w.endArray();
        w.name("new_imports").beginArray();
        r.newImports().forEach(w::value);
        w.endArray();
        w.name("removed_exports").beginArray();
        r.removedExports().forEach(w::value);
        w.endArray();
        w.endObject();
        return w.toString() + "\n";
    }

    private static void image(JsonWriter w, DiffResult.ImageSummary s) {
        w.beginObject().field("path", s.path());
        Sha256.of(java.nio.file.Path.of(s.path())).ifPresent(h -> w.field("sha256", h));
        w.field("machine", s.machine()).field("functions", s.functions())
                .field("instructions", s.instructions()).field("undecodable_bytes", s.undecodable());
        FunctionTable.Coverage c = s.coverage();
        w.name("coverage").beginObject().field("executable_bytes", c.executableBytes())
                .field("in_functions", c.coveredBytes()).field("from_metadata", c.metadataBytes())
                .field("from_descent", c.descentBytes()).field("gaps", c.gapBytes()).endObject();
        w.name("found_by").beginObject();
        s.foundBy().forEach((k, v) -> w.field(k.label(), v));
        w.endObject();
        w.name("warnings").beginArray();
        s.warnings().forEach(w::value);
        w.endArray();
        w.endObject();
    }
}
