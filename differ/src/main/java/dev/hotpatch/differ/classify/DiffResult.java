package dev.hotpatch.differ.classify;

import dev.hotpatch.differ.functions.Found;
import dev.hotpatch.differ.functions.FunctionTable;

import java.util.List;
import java.util.Map;

/** Everything the differ concluded about a pair of images. */
public record DiffResult(ImageSummary oldImage, ImageSummary newImage, List<FunctionDiff> functions, int sameFunctions,
                         List<GlobalDiff> globals, List<String> newImports, List<String> removedExports,
                         List<Finding> findings) {

    /** Facts about one side. */
    public record ImageSummary(String path, String machine, int functions, Map<Found, Integer> foundBy,
                               FunctionTable.Coverage coverage, long instructions, long undecodable,
                               List<String> warnings) {}

    public enum Verdict {
        PATCHABLE("patchable", 0), NOTHING_TO_PATCH("nothing to patch", 3), NOT_HOTPATCHABLE("not hotpatchable", 4);

        private final String label;
        private final int exitCode;

        Verdict(String label, int exitCode) {
            this.label = label;
            this.exitCode = exitCode;
        }

        public String label() {
            return label;
        }

        /** The command's exit code for this verdict (documented in the CLI's help). */
        public int exitCode() {
            return exitCode;
        }
    }

    public Verdict verdict() {
        if (!findings.isEmpty()) {
            return Verdict.NOT_HOTPATCHABLE;
        }
        boolean something = functions.stream().anyMatch(f -> f.status() == Status.CHANGED || f.status() == Status.NEW)
                || globals.stream().anyMatch(g -> g.status() == Status.NEW);
        return something ? Verdict.PATCHABLE : Verdict.NOTHING_TO_PATCH;
    }

    public List<FunctionDiff> withStatus(Status s) {
        return functions.stream().filter(f -> f.status() == s).toList();
    }
}
