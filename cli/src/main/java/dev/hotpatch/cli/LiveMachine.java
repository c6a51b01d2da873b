package dev.hotpatch.cli;

import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeReader;

import java.io.IOException;
import java.nio.file.Path;

/** Which build of the engine a patch needs: its COFF Machine as engine/bin names it. */
final class LiveMachine {
    private LiveMachine() {}

    static String of(Path patch) throws IOException, Errors.InputException {
        Machine m;
        try {
            m = PeReader.read(patch).machine();
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(patch.toString(), e);
        }
        return switch (m) {
            case AMD64 -> "x64";
            case I386 -> "x86";
            case ARM64 -> "arm64";
            default -> throw new Errors.InputException(patch + " is for machine " + m + ", which the live engine "
                    + "does not support.", null);
        };
    }
}
