package dev.hotpatch.cli;

import dev.hotpatch.packager.write.PatchWriter;
import picocli.CommandLine.Option;

/** The patch header's sequence numbers and flags (docs/format.md 2.1), for every command that writes patches. */
final class PatchHeaderOptions {
    @Option(names = "--sequence", defaultValue = "1", paramLabel = "N",
            description = "the patch's sequence number, 1 or more (default ${DEFAULT-VALUE})")
    long sequence;

    @Option(names = "--min-sequence", defaultValue = "0", paramLabel = "N",
            description = "the lowest sequence number of an applied patch this one may replace, at most --sequence "
                    + "(default ${DEFAULT-VALUE})")
    long minSequence;

    @Option(names = "--cumulative",
            description = "mark the patch CUMULATIVE: it carries every change of the patches it replaces, so an engine "
                    + "may replace an applied patch with it (docs/format.md 7.2); a patch whose --min-sequence is below "
                    + "its --sequence is marked so anyway")
    boolean cumulative;

    @Option(names = "--obligatory",
            description = "the patch fixes something that must not stay unpatched: an engine that cannot apply it "
                    + "reports an error, not a warning")
    boolean obligatory;

    /** The writer's options, after checking the sequence numbers as usage errors. */
    PatchWriter.Options toWriterOptions() throws Errors.UsageException {
        Sequences.check(sequence, minSequence);
        return new PatchWriter.Options(sequence, minSequence, true, cumulative, obligatory);
    }
}
