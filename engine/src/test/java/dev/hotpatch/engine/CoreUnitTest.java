package dev.hotpatch.engine;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the C unit tests of the engine's portable core (engine/host/test_core.c) under the sanitizers. */
class CoreUnitTest {
    @Test
    void everyCheckPasses() throws Exception {
        HostCore.Result r = HostCore.run(List.of(HostCore.build().resolve("test_core").toString(),
                RepoPaths.root().resolve("packager/src/test/resources/dev/hotpatch/packager/format/worked-example.hex")
                        .toString()));
        assertEquals(0, r.exit(), () -> r.stdout() + r.stderr());
        assertTrue(r.stdout().matches("(?s).*\\b[1-9]\\d* checks, 0 failed\\s*"), r.stdout());
    }
}
