package dev.hotpatch.differ;

import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * diff(A, A) says "nothing to patch" for every sample and every malformed-corpus file that parses, and the
 * differ never fails on the corpus except with its one checked exception.
 */
class SelfDiffTest {

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.walk(RepoPaths.testdataBin())) {
            return files.filter(p -> p.toString().endsWith(".exe") || p.toString().endsWith(".dll")).sorted()
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleAgainstItselfHasNothingToPatch(Path sample) throws Exception {
        DiffResult r = Differ.diff(sample, sample, Differ.Options.defaults());
        assertEquals(DiffResult.Verdict.NOTHING_TO_PATCH, r.verdict(), () -> sample + ": " + r.functions() + r.findings());
        assertTrue(r.functions().isEmpty() && r.globals().isEmpty(), () -> sample + ": " + r.functions() + r.globals());
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void corpusFilesThatParseHaveNothingToPatch() throws Exception {
        Path corpus = RepoPaths.shared().resolve("corpus/malformed");
        Assumptions.assumeTrue(Files.isDirectory(corpus), "../shared/corpus/malformed is not beside the repository");
        List<String> failures = new ArrayList<>();
        int parsed = 0;
        int refused = 0;
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                if (file.getFileName().toString().endsWith(".md")) {
                    continue;
                }
                try {
                    DiffResult r = Differ.diff(file, file, Differ.Options.defaults());
                    parsed++;
                    if (r.verdict() != DiffResult.Verdict.NOTHING_TO_PATCH) {
                        failures.add(file.getFileName() + ": " + r.verdict() + " " + r.functions().size()
                                + " functions " + r.findings());
                    }
                } catch (DifferException e) {
                    refused++;   // malformed input or an unsupported machine: the one checked error
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        assertTrue(parsed > 100, "at least 100 corpus files are diffed (" + parsed + " diffed, " + refused + " refused)");
    }
}
