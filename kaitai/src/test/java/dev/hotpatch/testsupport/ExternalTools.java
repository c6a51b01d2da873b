package dev.hotpatch.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need an external program (wine, objdump, pefile, ...) ask here first. When the program is missing
 * the test is skipped with a visible reason, unless the build runs with
 * {@code -Dhotpatch.requireExternalTools=true} (the README test command and CI do): then a missing tool fails.
 */
public final class ExternalTools {
    private ExternalTools() {}

    /** Debian's Python, which has pefile and unicorn (the python3 first on PATH may not). */
    public static final String PYTHON = "/usr/bin/python3";

    /** Returns the absolute path of {@code program} found on PATH (or as given, when absolute). */
    public static Path require(String program, String debianPackage) {
        Path found = find(program);
        if (found == null) {
            missing(program + " (Debian package " + debianPackage + ")");
        }
        return found;
    }

    /** Requires a Python module importable by Debian's /usr/bin/python3. */
    public static Path requirePythonModule(String module, String debianPackage) {
        Path python = require(PYTHON, "python3");
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import " + module)
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                missing("Python module " + module + " (Debian package " + debianPackage + ")");
            }
        } catch (Exception e) {
            missing("Python module " + module + " (" + e + ")");
        }
        return python;
    }

    /** Requires a directory or file that lives outside the repository, such as ../shared. */
    public static Path requirePath(Path path, String what) {
        if (!Files.exists(path)) {
            missing(what + " at " + path);
        }
        return path;
    }

    public static boolean strict() {
        return Boolean.getBoolean("hotpatch.requireExternalTools");
    }

    private static void missing(String what) {
        String reason = "needs " + what + ", which is not available";
        if (strict()) {
            fail(reason + " (the suite runs with hotpatch.requireExternalTools=true, so nothing may be skipped)");
        }
        System.err.println("SKIPPED: " + reason);
        assumeTrue(false, reason);
    }

    private static Path find(String program) {
        if (program.startsWith("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
