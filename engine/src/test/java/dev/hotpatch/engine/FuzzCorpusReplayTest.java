package dev.hotpatch.engine;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the committed regression corpus of each libFuzzer harness (engine/fuzz/corpus/HARNESS/) through the
 * harness built without libFuzzer, under AddressSanitizer and UndefinedBehaviorSanitizer: a finding aborts it.
 */
class FuzzCorpusReplayTest {
    @ParameterizedTest
    @ValueSource(strings = {"tables", "image"})
    void corpusReplaysClean(String harness) throws Exception {
        Path dir = RepoPaths.root().resolve("engine/fuzz/corpus").resolve(harness);
        List<String> command = new ArrayList<>(List.of(HostCore.build().resolve("replay_" + harness).toString()));
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(f -> command.add(f.toString()));
        }
        assertTrue(command.size() > 1, "empty corpus " + dir);
        HostCore.Result r = HostCore.run(command);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("replayed " + (command.size() - 1) + " inputs", r.stdout().trim());
    }
}
