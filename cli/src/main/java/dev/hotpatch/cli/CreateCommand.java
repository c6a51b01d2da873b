package dev.hotpatch.cli;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchRefusedException;
import dev.hotpatch.packager.write.PatchWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch create OLD NEW -o PATCH}: diff, then write the patch image (unsigned for now). */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Diffs two builds and writes a patch image holding the changed and new functions "
                + "(docs/format.md). Nothing is written when there is nothing to patch or it cannot be hotpatched.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the patch was written",
            "  3  nothing to patch; nothing written",
            "  4  the difference cannot be hotpatched (the reasons are printed); nothing written",
            "  2  usage error",
            "  1  an input could not be read, or an internal error"
        })
final class CreateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "the base image (the build that runs now)")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "the fixed build")
    Path newFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATCH", description = "where to write the patch image")
    Path out;

    @Option(names = "--sequence", defaultValue = "1", description = "the patch's sequence number (default ${DEFAULT-VALUE})")
    long sequence;

    @Option(names = "--min-sequence", defaultValue = "0", description = "the lowest sequence it supersedes (default ${DEFAULT-VALUE})")
    long minSequence;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Packager.Created created;
        try {
            created = Packager.create(oldFile, newFile, this.out, Differ.Options.defaults(),
                    new PatchWriter.Options(sequence, minSequence, true));
        } catch (DifferException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (PatchRefusedException e) {
            out.println("hotpatch: not written: " + e.getMessage());
            out.flush();
            return ExitCodes.NOT_HOTPATCHABLE;
        }
        DiffResult diff = created.diff();
        if (created.patchBytes().isEmpty()) {
            if (diff.verdict() == DiffResult.Verdict.NOTHING_TO_PATCH) {
                out.println("hotpatch: nothing to patch; " + this.out + " was not written.");
            } else {
                out.println("hotpatch: the difference cannot be hotpatched; " + this.out + " was not written.");
                for (Finding f : diff.findings()) {
                    out.println("  " + f.message());
                    out.println("    instead: " + f.advice());
                }
            }
            out.flush();
            return diff.verdict().exitCode();
        }
        out.printf("wrote %s (%d bytes): %d changed and %d new functions%n", this.out, created.patchBytes().get(),
                diff.withStatus(dev.hotpatch.differ.classify.Status.CHANGED).size(),
                diff.withStatus(dev.hotpatch.differ.classify.Status.NEW).size());
        out.flush();
        return ExitCodes.OK;
    }
}
