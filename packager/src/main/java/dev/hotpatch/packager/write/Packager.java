package dev.hotpatch.packager.write;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code create}: diff, plan, write. A patch is made only when the difference can be hotpatched and the writer
 * can express all of it; otherwise the result says why. The bytes are returned, so that a caller can sign them
 * before anything reaches the disk; {@link #create(Path, Path, Path, Differ.Options, PatchWriter.Options)} writes
 * them as they are.
 */
public final class Packager {
    private Packager() {}

    /** What create made: the diff, the base as parsed, and the patch image's bytes when there is one. */
    public record Made(DiffResult diff, PeImage base, Optional<byte[]> patch) {}

    /** What create wrote: the diff, and the patch's size when one was written. */
    public record Created(DiffResult diff, Optional<Long> patchBytes) {}

    /** Diffs, plans and writes the patch image in memory. */
    public static Made make(Path oldFile, Path newFile, Differ.Options diffOptions, PatchWriter.Options options)
            throws IOException, PeFormatException, DifferException, PatchRefusedException {
        Differ.Outcome outcome = Differ.diffAndPlan(oldFile, newFile, diffOptions);
        if (outcome.plan().isEmpty()) {
            return new Made(outcome.result(), outcome.oldImage(), Optional.empty());
        }
        return new Made(outcome.result(), outcome.oldImage(), Optional.of(PatchWriter.write(outcome.oldImage(),
                outcome.newImage(), outcome.plan().get(), options, oldFile)));
    }

    /** {@link #make}, then the patch written to {@code out} (atomically); nothing is written when there is none. */
    public static Created create(Path oldFile, Path newFile, Path out, Differ.Options diffOptions,
                                 PatchWriter.Options options)
            throws IOException, PeFormatException, DifferException, PatchRefusedException {
        Made made = make(oldFile, newFile, diffOptions, options);
        if (made.patch().isPresent()) {
            AtomicFile.write(out, made.patch().get());
        }
        return new Created(made.diff(), made.patch().map(b -> (long) b.length));
    }
}
