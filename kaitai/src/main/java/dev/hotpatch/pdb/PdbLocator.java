package dev.hotpatch.pdb;

import dev.hotpatch.pe.CodeViewInfo;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the PDB of an image and makes sure it belongs to that very build: its GUID and age (or, for an NB10
 * record, its signature and age) must be those of the image's CodeView record. A PDB of another build would
 * give wrong addresses and sizes, so it is never used: one given explicitly is an error, one found beside the
 * binary is ignored with a warning.
 */
public final class PdbLocator {
    private PdbLocator() {}

    /**
     * The image's PDB: {@code explicit} when given, else the first matching one of, in the binary's directory,
     * the last component of the CodeView record's PDB path (Windows or POSIX separators) and
     * {@code <binary name without extension>.pdb}. Candidates that are missing are skipped; ones that are not
     * readable PDBs or belong to another build are skipped with a warning naming the file and the reason.
     *
     * @throws PeFormatException when the explicit PDB is malformed, or does not match the image (naming the GUID
     *                           and age of both), or the image has no CodeView record to check it against
     * @throws IOException       when the explicit PDB cannot be read
     */
    public static Optional<PdbFile> locate(PeImage image, Path binary, Optional<Path> explicit, List<String> warnings)
            throws PeFormatException, IOException {
        Optional<CodeViewInfo> cv = image.codeView();
        if (explicit.isPresent()) {
            return Optional.of(explicit(image, explicit.get(), cv));
        }
        if (cv.isEmpty()) {
            warnings.add(image.name() + " has no CodeView debug record, so no PDB is looked for (a PDB could not"
                    + " be checked against it)");
            return Optional.empty();
        }
        List<Path> candidates = candidates(binary, cv.get());
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate)) {
                continue;
            }
            PdbFile pdb;
            try {
                pdb = PdbReader.read(candidate);
            } catch (PeFormatException | IOException e) {
                warnings.add("ignored " + candidate + ": it is not a readable PDB (" + e.getMessage() + ")");
                continue;
            }
            Optional<String> mismatch = mismatch(pdb, cv.get());
            if (mismatch.isEmpty()) {
                return Optional.of(pdb);
            }
            warnings.add("ignored " + candidate + ": it belongs to another build of " + image.name() + " ("
                    + mismatch.get() + ")");
        }
        if (candidates.stream().noneMatch(Files::isRegularFile)) {
            warnings.add("no PDB found for " + image.name() + " (looked for "
                    + String.join(" and ", candidates.stream().map(Path::toString).toList()) + ")");
        }
        return Optional.empty();
    }

    private static PdbFile explicit(PeImage image, Path path, Optional<CodeViewInfo> cv)
            throws PeFormatException, IOException {
        PdbFile pdb = PdbReader.read(path);
        if (cv.isEmpty()) {
            throw new PeFormatException("codeview", "guid", -1, "a CodeView debug record in " + image.name()
                    + " to check " + path + " against", "none");
        }
        if (mismatch(pdb, cv.get()).isPresent()) {
            boolean nb10 = isNb10(cv.get());
            throw new PeFormatException("pdb_info_stream", nb10 ? "signature" : "guid",
                    nb10 ? pdb.signatureFileOffset() : pdb.guidFileOffset(),
                    identity(cv.get()) + " (what the CodeView record of " + image.name() + " names)",
                    identity(pdb, nb10) + " in " + path + ", a PDB of another build");
        }
        return pdb;
    }

    /** Where to look beside the binary, in order, without duplicates. */
    static List<Path> candidates(Path binary, CodeViewInfo cv) {
        Path dir = binary.toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        String fromRecord = lastComponent(cv.pdbPath());
        if (!fromRecord.isEmpty()) {
            out.add(dir.resolve(fromRecord));
        }
        String file = binary.getFileName().toString();
        int dot = file.lastIndexOf('.');
        Path byName = dir.resolve((dot > 0 ? file.substring(0, dot) : file) + ".pdb");
        if (!out.contains(byName)) {
            out.add(byName);
        }
        return out;
    }

    /** The file name of a PDB path written on Windows or POSIX; "" when it has none or could not be a name. */
    static String lastComponent(String pdbPath) {
        String name = pdbPath.substring(Math.max(pdbPath.lastIndexOf('\\'), pdbPath.lastIndexOf('/')) + 1);
        int colon = name.lastIndexOf(':');            // "C:foo.pdb" (drive-relative)
        name = name.substring(colon + 1);
        return name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0 ? "" : name;
    }

    /** Why the PDB is not the one the CodeView record names, or empty when it is. */
    static Optional<String> mismatch(PdbFile pdb, CodeViewInfo cv) {
        boolean nb10 = isNb10(cv);
        String ours = nb10 ? signature(pdb) : pdb.guid();
        if (!ours.equalsIgnoreCase(cv.guid()) || pdb.age() != cv.age()) {
            return Optional.of("the image names " + identity(cv) + ", the PDB is " + identity(pdb, nb10));
        }
        return Optional.empty();
    }

    private static boolean isNb10(CodeViewInfo cv) {
        return cv.signature().equals("NB10");
    }

    /** The PDB's signature as CodeViewInfo writes an NB10 record's: 8 hex digits. */
    private static String signature(PdbFile pdb) {
        return String.format(Locale.ROOT, "%08x", pdb.signature());
    }

    private static String identity(CodeViewInfo cv) {
        return (isNb10(cv) ? "signature " : "GUID ") + cv.guid() + " age " + cv.age();
    }

    private static String identity(PdbFile pdb, boolean nb10) {
        return (nb10 ? "signature " + signature(pdb) : "GUID " + pdb.guid()) + " age " + pdb.age();
    }
}
