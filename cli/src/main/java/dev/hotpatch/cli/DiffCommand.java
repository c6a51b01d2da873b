package dev.hotpatch.cli;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.differ.disasm.Disassembler;
import dev.hotpatch.differ.render.DiffReport;
import dev.hotpatch.pe.PeFormatException;
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

/** {@code hotpatch diff OLD NEW [--json]}: which functions and globals changed, and can it be hotpatched. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compares two builds of a PE image function by function: what changed, what is new or "
                + "deleted, and whether the difference can be hotpatched (the reasons come first when it cannot).",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  there is something to patch, and it can be hotpatched",
            "  3  nothing to patch (the builds do the same)",
            "  4  a difference that cannot be hotpatched (the report says which and what to do)",
            "  2  usage error",
            "  1  an input could not be read, or an internal error"
        })
final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "the base image (the build that runs now)")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "the fixed build")
    Path newFile;

    @Option(names = "--old-pdb", paramLabel = "PDB", description = "the old image's PDB (default: one beside it that matches)")
    Path oldPdb;

    @Option(names = "--new-pdb", paramLabel = "PDB", description = "the new image's PDB (default: one beside it that matches)")
    Path newPdb;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--summary", description = "print the verdict, the counts, the reasons and the names of what "
            + "differs only (no per-function details)")
    boolean summary;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (json && summary) {
            throw new Errors.UsageException("--json and --summary are two formats; give one");
        }
        Inputs.requirePeFile(oldFile, "the old build (a PE image)");
        Inputs.requirePeFile(newFile, "the new build (a PE image)");
        Inputs.requireFileIfGiven(oldPdb, "the old build's PDB");
        Inputs.requireFileIfGiven(newPdb, "the new build's PDB");
        DiffResult result;
        try {
            result = Differ.diff(oldFile, newFile,
                    new Differ.Options(Optional.ofNullable(oldPdb), Optional.ofNullable(newPdb), true));
        } catch (DifferException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(oldFile + " or " + newFile, e);
        }
        DiffReport report = new DiffReport(result);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.toJson() : summary ? report.toSummary() : report.toText());
        out.flush();
        if (!result.withStatus(Status.CHANGED).isEmpty()) {
            Disassembler.unavailable().ifPresent(why -> {
                spec.commandLine().getErr().println("hotpatch: note: instructions are shown as bytes because " + why
                        + " (the diff itself does not need it).");
                spec.commandLine().getErr().flush();
            });
        }
        return result.verdict().exitCode();
    }
}
