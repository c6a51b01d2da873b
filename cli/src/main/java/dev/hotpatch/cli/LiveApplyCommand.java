package dev.hotpatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hotpatch live apply --pid PID PATCH --trust ANCHOR [--json]}. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Verifies PATCH inside process PID (signature against the pinned ANCHOR, tables, the loaded "
                + "base module's identity, sequence), maps it within reach of the base, and redirects the changed "
                + "functions while the other threads are suspended; then reads every written byte back.")
final class LiveApplyCommand implements Callable<Integer> {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process's (Windows) process id")
    long pid;

    @Parameters(index = "0", paramLabel = "PATCH", description = "the signed patch image")
    Path patch;

    @Option(names = "--trust", required = true, paramLabel = "ANCHOR",
            description = "pinned trust anchor: a certificate file (PEM or DER)")
    Path anchor;

    @Option(names = "--json", description = "print the answer as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (Path p : List.of(patch, anchor)) {
            if (!Files.isReadable(p)) {
                throw new Errors.InputException("cannot read " + p + ".", null);
            }
        }
        String arch = LiveMachine.of(patch);
        LiveEngine.Answer a = LiveEngine.run(arch, List.of("apply", Long.toString(pid), LiveEngine.windowsPath(patch),
                LiveEngine.windowsPath(anchor)));
        return LiveReport.print(a, "apply", json, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
