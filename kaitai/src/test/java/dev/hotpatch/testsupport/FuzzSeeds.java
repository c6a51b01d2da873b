package dev.hotpatch.testsupport;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Seeds for the {@code @FuzzTest} harnesses (docs/fuzzing.md), read in place from testdata/bin and the shared
 * malformed corpus. The whole set goes to Jazzer only when fuzzing (JAZZER_FUZZ set, as ./fuzz does); the normal
 * test run replays the committed {@code *Inputs} directories (the crash corpus) and {@link #regressionSamples()},
 * and the malformed corpus has its own tests.
 */
public final class FuzzSeeds {
    /** Seeds larger than this only slow the mutator down; ./fuzz caps inputs at about this size too. */
    public static final long MAX_SEED_BYTES = 256 << 10;

    private FuzzSeeds() {}

    /** Whether Jazzer runs in fuzzing mode (the same test as JUnit's Jazzer extension makes). */
    public static boolean fuzzing() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        return fuzz != null && !fuzz.isEmpty();
    }

    /** The sample binaries (v1/v2 .dll and .exe of every scenario and machine) up to {@link #MAX_SEED_BYTES}. */
    public static Stream<Path> samples() {
        return files(RepoPaths.testdataBin(), p -> p.toString().endsWith(".dll") || p.toString().endsWith(".exe"));
    }

    /** One small sample per machine (constant_changed/v1.dll), replayed by every normal test run. */
    public static Stream<Path> regressionSamples() {
        return Stream.of("arm64", "x64", "x86")
                .map(m -> RepoPaths.testdataBin().resolve(m).resolve("constant_changed").resolve("v1.dll"))
                .filter(Files::isRegularFile);
    }

    /** The sample PDBs (ARM64 scenarios). */
    public static Stream<Path> samplePdbs() {
        return files(RepoPaths.testdataBin(), p -> p.toString().endsWith(".pdb"));
    }

    /** The shared hostile-PE corpus, referenced in place; empty when ../shared is not beside the repository. */
    public static Stream<Path> malformedCorpus() {
        Path dir = RepoPaths.shared().resolve("corpus").resolve("malformed");
        return files(dir, p -> !p.getFileName().toString().endsWith(".md"));
    }

    /** Each file's bytes as one seed argument. */
    public static Stream<Arguments> asSeeds(Stream<Path> files) {
        return files.map(p -> Arguments.of((Object) read(p)));
    }

    public static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<Path> files(Path dir, Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(keep).filter(p -> size(p) <= MAX_SEED_BYTES).sorted()
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
