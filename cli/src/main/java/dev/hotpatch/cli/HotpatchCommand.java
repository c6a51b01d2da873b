package dev.hotpatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hotpatch} command: one top command, one subcommand per job. */
@Command(name = "hotpatch",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Builds hotpatches for Windows PE/COFF binaries (x86, x64, ARM64).",
        subcommands = {InspectCommand.class, DiffCommand.class, CreateCommand.class, ApplyCommand.class, ReleaseCommand.class,
            SignCommand.class, SignRequestCommand.class, SignAttachCommand.class, VerifyCommand.class, LiveCommand.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  success; diff: there is something to patch",
            "  1  an input could not be read (malformed or unreadable), an output could not be written, a key is not "
                    + "usable, or an internal error",
            "  2  usage error (a wrong option, an output that exists without --force or is an input)",
            "  3  diff, create: nothing to patch",
            "  4  diff, create: a difference that cannot be hotpatched; apply: the patch cannot be applied offline",
            "  5  verify, create, apply: the signature, chain or patch does not verify",
            "Each command's --help lists its own."
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
        Errors errors = new Errors();
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        giveVersion(cli, new Version());
        return cli;
    }

    /** Every command and subcommand (live apply, ...) answers --version from the build. */
    private static void giveVersion(CommandLine cli, Version version) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(version);
            giveVersion(sub, version);
        }
    }
}
