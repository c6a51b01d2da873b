package dev.hotpatch.signer;

import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.Limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes whole images (and the signing request files) with a size bound and one-sentence errors. */
final class ImageFiles {
    private ImageFiles() {}

    static byte[] read(Path file) throws SignerException {
        try {
            long size = Files.size(file);
            if (size > Limits.MAX_FILE_SIZE - 16) {
                throw new SignerException(file + " has " + size + " bytes, more than a PE image may have ("
                        + Limits.MAX_FILE_SIZE + ")");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SignerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, byte[] bytes) throws SignerException {
        try {
            AtomicFile.write(file, bytes);
        } catch (IOException e) {
            throw new SignerException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
