package dev.hotpatch.packager.image;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs an external program for a test: its exit code, stdout and stderr, with a time limit. */
record ProcessRun(int exitCode, String stdout, String stderr) {

    static ProcessRun run(Path workDir, Map<String, String> env, List<String> command) throws IOException,
            InterruptedException {
        Path out = Files.createTempFile("image-test", ".out");
        Path err = Files.createTempFile("image-test", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("timed out after 3 minutes: " + String.join(" ", command));
            }
            return new ProcessRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static ProcessRun run(String... command) throws IOException, InterruptedException {
        return run(null, Map.of(), List.of(command));
    }

    /** For assertion messages. */
    String describe() {
        return "exit " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
}
