package dev.hotpatch.differ;

import dev.hotpatch.differ.functions.Symbols;
import dev.hotpatch.pe.PeImage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Adds a PDB's procedures and data symbols to an image's symbols when one is given or sits beside it. */
final class DebugSymbols {
    private DebugSymbols() {}

    static void addPdb(Symbols symbols, PeImage image, Path binary, Optional<Path> explicit, List<String> warnings) {
        // Filled in once the PDB reader lands.
    }
}
