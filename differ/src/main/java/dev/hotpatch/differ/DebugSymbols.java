package dev.hotpatch.differ;

import dev.hotpatch.differ.functions.Found;
import dev.hotpatch.differ.functions.Symbols;
import dev.hotpatch.pdb.PdbData;
import dev.hotpatch.pdb.PdbFile;
import dev.hotpatch.pdb.PdbLocator;
import dev.hotpatch.pdb.PdbProcedure;
import dev.hotpatch.pdb.PdbPublic;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Adds a PDB's procedures (with their lengths), data symbols (with their sizes from the type stream) and
 * function publics (the names of code that has no procedure record, such as import thunks) to an image's
 * symbols, when a PDB is given or sits beside the binary and belongs to this build.
 */
final class DebugSymbols {
    private DebugSymbols() {}

    static void addPdb(Symbols symbols, PeImage image, Path binary, Optional<Path> explicit, List<String> warnings)
            throws DifferException, IOException {
        Optional<PdbFile> pdb;
        List<String> found = new java.util.ArrayList<>();
        try {
            pdb = PdbLocator.locate(image, binary, explicit, found);
            // A PDB that exists but was not used matters (a stale or broken file); no PDB at all is normal.
            found.stream().filter(w -> w.startsWith("ignored ")).forEach(warnings::add);
        } catch (PeFormatException e) {
            throw new DifferException("the PDB for " + binary + " cannot be used: " + e.getMessage()
                    + "; give the PDB written with this build, or none.", e);
        }
        if (pdb.isEmpty()) {
            return;
        }
        Set<Long> procedures = new HashSet<>();
        for (PdbProcedure p : pdb.get().procedures()) {
            if (p.rva() >= 0) {
                symbols.addProcedure(p.rva(), p.length(), p.name(), Found.PDB);
                procedures.add(p.rva());
            }
        }
        Set<Long> dataSymbols = new HashSet<>();
        for (PdbData d : pdb.get().dataSymbols()) {
            if (d.rva() >= 0 && !d.threadLocal()) {
                symbols.addData(d.rva(), d.size(), d.name());
                dataSymbols.add(d.rva());
                if (d.size() > 0) {
                    symbols.addBoundary(d.rva() + d.size());
                }
            }
        }
        for (PdbPublic p : pdb.get().publics()) {
            if (p.rva() >= 0 && p.function() && !procedures.contains(p.rva())) {
                symbols.addProcedure(p.rva(), -1, p.name(), Found.PDB);
            } else if (p.rva() >= 0 && !p.function()) {
                // A public in writable data that no data symbol names (MSVC's RTTI type descriptors
                // ??_R0...@8, which the runtime writes to) names a global, so two builds' copies pair by name.
                boolean writable = image.sectionAt(p.rva()).map(Section::isWritable).orElse(false);
                if (writable && !dataSymbols.contains(p.rva())) {
                    symbols.addData(p.rva(), -1, p.name());
                } else {
                    symbols.addBoundary(p.rva());
                }
            }
        }
    }
}
