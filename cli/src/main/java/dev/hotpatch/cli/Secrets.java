package dev.hotpatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a password or PIN given on the command line as {@code env:NAME} (an environment variable), {@code
 * file:PATH} (the file's first line) or the literal value (visible to other users in the process list, so the
 * other two forms are the ones to use in pipelines).
 */
final class Secrets {
    private Secrets() {}

    static char[] read(String spec, String what) throws Errors.InputException {
        if (spec.startsWith("env:")) {
            String value = System.getenv(spec.substring(4));
            if (value == null) {
                throw new Errors.InputException("the " + what + " is to come from environment variable "
                        + spec.substring(4) + ", which is not set; set it or pass the " + what + " another way.", null);
            }
            return value.toCharArray();
        }
        if (spec.startsWith("file:")) {
            Path file = Path.of(spec.substring(5));
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                return (end >= 0 ? text.substring(0, end) : text).replace("\r", "").toCharArray();
            } catch (IOException e) {
                throw new Errors.InputException("the " + what + " file " + file + " cannot be read (" + e.getMessage()
                        + "); check the path.", e);
            }
        }
        return spec.toCharArray();
    }
}
