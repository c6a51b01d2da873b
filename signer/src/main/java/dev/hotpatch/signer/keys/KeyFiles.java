package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads key and certificate files whole, refusing anything larger than a key file can plausibly be. */
final class KeyFiles {
    private KeyFiles() {}

    /** Keystores with long chains stay far below this; a larger file is the wrong file. */
    static final int MAX_BYTES = 1 << 20;

    static byte[] read(Path path, String what) throws SignerException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new SignerException("the " + what + " " + path + " is larger than " + MAX_BYTES
                        + " bytes, which no " + what + " is; check that you passed the right file");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new SignerException("the " + what + " " + path + " does not exist; check the path", e);
        } catch (IOException e) {
            throw new SignerException("cannot read the " + what + " " + path + " (" + e.getMessage()
                    + "); check that the file exists and is readable", e);
        }
    }
}
