package dev.hotpatch.packager.apply;

import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.RepoPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The testdata scenarios a patch can be made for, read from their expect.json: hotpatchable, with at least one
 * changed or new function, and built for the asked architecture and artifact. A new scenario is covered by the
 * execution tests without editing them.
 */
final class PatchableScenarios {
    private PatchableScenarios() {}

    static List<String> built(String arch, String artifact) {
        Path dir = RepoPaths.root().resolve("testdata/scenarios");
        try (Stream<Path> scenarios = Files.list(dir)) {
            List<String> out = scenarios.sorted().filter(s -> patchable(s.resolve("expect.json"), arch, artifact))
                    .map(s -> s.getFileName().toString()).toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no patchable " + arch + " " + artifact + " scenario under " + dir);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean patchable(Path expectJson, String arch, String artifact) {
        try {
            Map<String, Object> e = Json.object(Json.parse(Files.readString(expectJson)));
            Map<String, Object> functions = Json.object(e.get("functions"));
            Object artifacts = Json.object(e.get("architectures")).get(arch);
            return Boolean.TRUE.equals(e.get("hotpatchable"))
                    && Json.array(functions.get("changed")).size() + Json.array(functions.get("new")).size() > 0
                    && artifacts != null && Json.array(artifacts).contains(artifact);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
