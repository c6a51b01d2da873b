package dev.hotpatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code hotpatch live status --pid PID [--json]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows which patches (sequence numbers) are applied to which module of process PID.")
final class LiveStatusCommand implements Callable<Integer> {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process's (Windows) process id")
    long pid;

    @Option(names = "--machine", defaultValue = "x64", paramLabel = "ARCH",
            description = "the process's machine: x64, x86 or arm64 (default ${DEFAULT-VALUE})")
    String machine;

    @Option(names = "--json", description = "print the answer as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!List.of("x64", "x86", "arm64").contains(machine)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--machine must be x64, x86 or arm64, not '" + machine + "'.");
        }
        LiveEngine.Answer a = LiveEngine.run(machine, List.of("status", Long.toString(pid)));
        return LiveReport.print(a, "status", json, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
