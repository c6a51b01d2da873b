package dev.hotpatch.pe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the shared malformed corpus beside the repository (referenced in place, never copied). */
final class SharedCorpus {
    private SharedCorpus() {}

    static Path malformedDir() {
        String shared = System.getProperty("hotpatch.shared.dir", "../../shared");
        return Path.of(shared, "corpus", "malformed").toAbsolutePath().normalize();
    }

    /** Every sample file in the corpus, sorted by name; empty when the corpus is absent. */
    static List<Path> malformedFiles() {
        Path dir = malformedDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
