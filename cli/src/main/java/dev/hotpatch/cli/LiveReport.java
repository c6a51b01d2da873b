package dev.hotpatch.cli;

import dev.hotpatch.report.JsonWriter;

import java.io.PrintWriter;
import java.util.Map;

/** Prints an answer of the live engine: its sentences (on stderr when it failed), or JSON with the same facts. */
final class LiveReport {
    private LiveReport() {}

    static int print(LiveEngine.Answer a, String action, boolean json, PrintWriter out, PrintWriter err) {
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().field("action", action).field("result", a.result())
                    .field("ok", a.result() == ExitCodes.OK);
            w.name("messages").beginArray();
            a.sentences().forEach(w::value);
            w.endArray();
            w.name("facts").beginArray();
            for (LiveEngine.Fact f : a.facts()) {
                w.beginObject().field("kind", f.kind());
                for (Map.Entry<String, String> e : f.fields().entrySet()) {
                    w.field(e.getKey(), e.getValue());
                }
                w.endObject();
            }
            w.endArray().endObject();
            out.println(w);
        } else {
            PrintWriter to = a.result() == ExitCodes.OK ? out : err;
            a.sentences().forEach(to::println);
            Map<String, String> timing = a.first("timing");
            if (a.result() == ExitCodes.OK && !timing.isEmpty() && !action.equals("status")) {
                out.println(String.format(java.util.Locale.ROOT,
                        "took %.1f ms from command to done (engine %.1f ms); other threads suspended %.2f ms "
                                + "(%s threads, %s attempts)",
                        ms(timing.get("total_us")), ms(timing.get("engine_us")), ms(timing.get("suspended_us")),
                        timing.getOrDefault("threads", "?"), timing.getOrDefault("attempts", "?")));
            }
        }
        out.flush();
        err.flush();
        return a.result();
    }

    private static double ms(String us) {
        try {
            return Long.parseLong(us) / 1000.0;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
