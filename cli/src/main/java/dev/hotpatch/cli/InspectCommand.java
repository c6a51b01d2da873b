package dev.hotpatch.cli;

import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.packager.inspect.PatchReport;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.report.PeReport;
import dev.hotpatch.report.ReportPart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch inspect FILE [--json]}: what a PE image holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows a PE image's headers, sections, functions, exports, imports, relocations, "
                + "load config, debug info, signature presence and warnings.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "a PE image (EXE, DLL, SYS)")
    Path file;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PeImage image = Inputs.readImage(file, "a PE image (EXE, DLL, SYS)");
        Optional<PatchReport> patch;
        try {
            patch = PatchReport.of(image);
        } catch (PatchFormatException e) {
            throw new Errors.InputException(file + " has malformed hot-patch tables: " + e.getMessage()
                    + "; the patch is damaged or not ours.", e);
        }
        PeReport report = new PeReport(image, patch.<List<ReportPart>>map(List::of).orElse(List.of()));
        PrintWriter out = spec.commandLine().getOut(); // System.out unless a caller (a test) set another writer
        out.print(json ? report.toJson() : report.toText());
        out.flush();
        return ExitCodes.OK;
    }
}
