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

/** {@code hotpatch live rollback --pid PID PATCH [--json]}. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Rolls back PATCH, the patch applied to a module of process PID, when no thread runs in it: "
                + "restores the original bytes with the other threads suspended and reads them back.")
final class LiveRollbackCommand implements Callable<Integer> {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process's (Windows) process id")
    long pid;

    @Parameters(index = "0", paramLabel = "PATCH", description = "the applied patch image")
    Path patch;

    @Option(names = "--json", description = "print the answer as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(patch)) {
            throw new Errors.InputException("cannot read " + patch + ".", null);
        }
        LiveEngine.Answer a = LiveEngine.run(LiveMachine.of(patch),
                List.of("rollback", Long.toString(pid), LiveEngine.windowsPath(patch)));
        return LiveReport.print(a, "rollback", json, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
