package dev.hotpatch.packager.write;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code create}: diff, plan, write. A patch file is written only when the difference can be hotpatched and
 * the writer can express all of it; otherwise nothing is written and the result says why.
 */
public final class Packager {
    private Packager() {}

    /** What create did: the diff, and the patch's size when one was written. */
    public record Created(DiffResult diff, Optional<Long> patchBytes) {}

    public static Created create(Path oldFile, Path newFile, Path out, Differ.Options diffOptions,
                                 PatchWriter.Options options)
            throws IOException, PeFormatException, DifferException, PatchRefusedException {
        Differ.Outcome outcome = Differ.diffAndPlan(oldFile, newFile, diffOptions);
        if (outcome.plan().isEmpty()) {
            return new Created(outcome.result(), Optional.empty());
        }
        PeImage base = PeReader.read(oldFile);
        PeImage fixed = PeReader.read(newFile);
        byte[] bytes = PatchWriter.write(base, fixed, outcome.plan().get(), options, oldFile);
        AtomicFile.write(out, bytes);
        return new Created(outcome.result(), Optional.of((long) bytes.length));
    }
}
