package dev.hotpatch.testsupport;

import java.nio.file.Path;

/** Where the repository root and ../shared are, as the build passes them to tests. */
public final class RepoPaths {
    private RepoPaths() {}

    public static Path root() {
        return Path.of(System.getProperty("hotpatch.root.dir", "..")).toAbsolutePath().normalize();
    }

    public static Path shared() {
        return Path.of(System.getProperty("hotpatch.shared.dir", root().resolve("../shared").toString()))
                .toAbsolutePath().normalize();
    }

    public static Path testdataBin() {
        return root().resolve("testdata").resolve("bin");
    }
}
