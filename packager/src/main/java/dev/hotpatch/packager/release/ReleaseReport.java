package dev.hotpatch.packager.release;

import dev.hotpatch.report.JsonWriter;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A release's results as JSON (schema docs/json.md, "release") and as one self-contained HTML page. */
public final class ReleaseReport {
    public static final int SCHEMA_VERSION = 1;

    private final Path oldRoot;
    private final Path newRoot;
    private final Path outRoot;
    private final List<Release.Entry> entries;

    public ReleaseReport(Path oldRoot, Path newRoot, Path outRoot, List<Release.Entry> entries) {
        this.oldRoot = oldRoot;
        this.newRoot = newRoot;
        this.outRoot = outRoot;
        this.entries = List.copyOf(entries);
    }

    public List<Release.Entry> entries() {
        return entries;
    }

    public Map<Release.Outcome, Integer> counts() {
        Map<Release.Outcome, Integer> out = new EnumMap<>(Release.Outcome.class);
        for (Release.Outcome o : Release.Outcome.values()) {
            out.put(o, 0);
        }
        entries.forEach(e -> out.merge(e.outcome(), 1, Integer::sum));
        return out;
    }

    /** 0 every changed binary got a patch; 4 some were refused; 1 some could not be read. */
    public int exitCode() {
        Map<Release.Outcome, Integer> c = counts();
        return c.get(Release.Outcome.FAILED) > 0 ? 1 : c.get(Release.Outcome.REFUSED) > 0 ? 4 : 0;
    }

    public String toJson() {
        JsonWriter w = new JsonWriter().beginObject().field("schema_version", SCHEMA_VERSION).field("command", "release")
                .field("old_root", oldRoot.toString()).field("new_root", newRoot.toString())
                .field("out_root", outRoot.toString()).field("exit_code", exitCode());
        w.name("counts").beginObject();
        counts().forEach((k, v) -> w.field(k.id(), v));
        w.endObject();
        w.name("binaries").beginArray();
        for (Release.Entry e : entries) {
            w.beginObject().field("path", e.path()).field("outcome", e.outcome().id());
            e.oldSha256().ifPresent(h -> w.field("old_sha256", h));
            e.newSha256().ifPresent(h -> w.field("new_sha256", h));
            e.patch().ifPresent(p -> w.field("patch", outRoot.relativize(p).toString().replace('\\', '/')));
            e.patchSha256().ifPresent(h -> w.field("patch_sha256", h).field("patch_bytes", e.patchBytes()));
            w.name("changed_functions").beginArray();
            e.changed().forEach(w::value);
            w.endArray();
            w.name("reasons").beginArray();
            e.reasons().forEach(w::value);
            w.endArray();
            w.endObject();
        }
        w.endArray();
        return w.endObject().toString() + "\n";
    }

    public String toHtml() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hotpatch release</title>\n<style>")
                .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
                .append(".refused,.failed{background:#fdd}.patched{background:#dfd}code{font-size:90%}")
                .append("</style></head><body>\n<h1>hotpatch release</h1>\n<p>")
                .append(esc(oldRoot.toString())).append(" &rarr; ").append(esc(newRoot.toString())).append("</p>\n<p>");
        counts().forEach((k, v) -> h.append(k.id()).append(": <b>").append(v).append("</b> "));
        h.append("</p>\n<table id=\"binaries\"><tr><th>binary</th><th>outcome</th><th>functions</th><th>why / patch</th></tr>\n");
        for (Release.Entry e : entries.stream().sorted((x, y) -> Integer.compare(rank(x), rank(y))).toList()) {
            h.append("<tr class=\"").append(e.outcome().id()).append("\"><td><code>").append(esc(e.path()))
                    .append("</code></td><td>").append(e.outcome().id()).append("</td><td>")
                    .append(esc(String.join(", ", e.changed()))).append("</td><td>");
            e.reasons().forEach(r -> h.append(esc(r)).append("<br>"));
            e.patch().ifPresent(p -> h.append("<code>").append(esc(outRoot.relativize(p).toString())).append("</code> (")
                    .append(e.patchBytes()).append(" bytes)"));
            h.append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    /** Refusals and failures first: what a release engineer must act on. */
    private static int rank(Release.Entry e) {
        return switch (e.outcome()) {
            case FAILED -> 0;
            case REFUSED -> 1;
            case PATCHED -> 2;
            case ADDED, REMOVED -> 3;
            case UNCHANGED -> 4;
        };
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
