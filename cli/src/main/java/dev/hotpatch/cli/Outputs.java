package dev.hotpatch.cli;

import dev.hotpatch.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Checks an output before any work so that nothing is destroyed by accident: it must not be one of the command's
 * inputs, an existing file is replaced only with {@code --force}, and its directory must exist. Writing goes
 * through {@link AtomicFile} (whole or not at all, no temporary file left behind).
 */
final class Outputs {
    private Outputs() {}

    /**
     * @param option how the user named the output ("-o", "--request"), for the message
     * @param inputs the command's inputs; the output may be none of them
     */
    static void check(Path out, String option, boolean force, Path... inputs) throws Errors.UsageException,
            Errors.InputException {
        for (Path in : inputs) {
            if (in != null && same(out, in)) {
                throw new Errors.UsageException("the output " + out + " (" + option + ") is also an input; choose "
                        + "another output file, inputs are never overwritten");
            }
        }
        if (Files.isDirectory(out)) {
            throw new Errors.UsageException("the output " + out + " (" + option + ") is a directory; give a file name");
        }
        if (Files.exists(out) && !force) {
            throw new Errors.UsageException(out + " already exists; pass --force to replace it, or choose another output");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Errors.InputException("cannot write " + out + ": the directory " + dir + " does not exist; create "
                    + "it or choose another output", null);
        }
        if (!Files.isWritable(dir)) {
            throw new Errors.InputException("cannot write " + out + ": permission denied in " + dir + "; choose a "
                    + "directory you can write to", null);
        }
    }

    /** Writes {@code bytes} to {@code out} whole or not at all, with the mode of {@code modeOf} when given. */
    static void write(Path out, byte[] bytes, Optional<Path> modeOf) throws IOException {
        Optional<Set<PosixFilePermission>> mode = modeOf.flatMap(AtomicFile::modeOf);
        AtomicFile.write(out, bytes, mode);
    }

    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to comparing the paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
