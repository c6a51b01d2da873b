package dev.hotpatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hotpatch} command: one top command, one subcommand per job. */
@Command(name = "hotpatch",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Builds hotpatches for Windows PE/COFF binaries (x86, x64, ARM64).",
        subcommands = {InspectCommand.class, DiffCommand.class, CreateCommand.class, ApplyCommand.class, SignCommand.class,
            SignRequestCommand.class, SignAttachCommand.class, VerifyCommand.class, LiveCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  success; diff: there is something to patch",
            "  1  the input could not be read (malformed or unreadable), or an internal error",
            "  2  usage error",
            "  3  diff, create: nothing to patch",
            "  4  diff, create: a difference that cannot be hotpatched",
            "  5  verify, create: the signature, chain or patch does not verify"
        })
public final class HotpatchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which command to run, for example: hotpatch inspect FILE");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line as {@code main} runs it (one-sentence errors); tests set its writers and execute it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HotpatchCommand());
        cli.setExecutionExceptionHandler(new Errors());
        return cli;
    }
}
