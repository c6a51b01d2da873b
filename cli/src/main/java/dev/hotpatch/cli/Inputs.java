package dev.hotpatch.cli;

import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the files a command reads before any work, so that a wrong path gets one sentence naming it: missing, a
 * directory, unreadable, or not a PE image at all.
 */
final class Inputs {
    private Inputs() {}

    /** Fails unless {@code file} is a readable regular file. */
    static void requireFile(Path file, String what) throws Errors.InputException {
        if (!Files.exists(file)) {
            throw new Errors.InputException(file + " does not exist; check the path of " + what, null);
        }
        if (Files.isDirectory(file)) {
            throw new Errors.InputException(file + " is a directory; give the path of " + what, null);
        }
        if (!Files.isReadable(file)) {
            throw new Errors.InputException(file + " cannot be read (permission denied); check its permissions", null);
        }
    }

    /** {@link #requireFile} for an optional input: nothing to check when it is not given. */
    static void requireFileIfGiven(Path file, String what) throws Errors.InputException {
        if (file != null) {
            requireFile(file, what);
        }
    }

    /** Fails unless {@code file} is a readable file that starts like a PE image ("MZ"). */
    static void requirePeFile(Path file, String what) throws Errors.InputException {
        requireFile(file, what);
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(2);
        } catch (IOException e) {
            throw new Errors.InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (magic.length < 2 || magic[0] != 'M' || magic[1] != 'Z') {
            throw new Errors.InputException(file + " is not a Windows PE image (it does not start with \"MZ\"); give "
                    + what, null);
        }
    }

    /** Reads a PE image after {@link #requirePeFile}; a malformed one is one sentence naming the file. */
    static PeImage readImage(Path file, String what) throws Errors.InputException, IOException {
        requirePeFile(file, what);
        try {
            return PeReader.read(file);
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(file.toString(), e);
        }
    }

    /** The bytes of {@code file} after {@link #requireFile}. */
    static byte[] readBytes(Path file, String what) throws Errors.InputException, IOException {
        requireFile(file, what);
        return Files.readAllBytes(file);
    }
}
