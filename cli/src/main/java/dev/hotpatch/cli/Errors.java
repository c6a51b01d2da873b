package dev.hotpatch.cli;

import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.SignerException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns failures into one sentence on stderr (the stack trace only with {@code --verbose}) and an exit code:
 * usage mistakes exit 2 with a pointer to the command's help, everything else exits 1.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof UsageException) {
            return usage(e.getMessage(), cli);
        }
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        cli.getErr().println("hotpatch: " + sentence(e));
        if (verbose) {
            e.printStackTrace(cli.getErr());
        }
        cli.getErr().flush();
        return ExitCodes.ERROR;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        return usage(e.getMessage(), e.getCommandLine());
    }

    /** One line: what is wrong with the command line, and where the help is. */
    private static int usage(String message, CommandLine cli) {
        String command = cli.getCommandSpec().qualifiedName();
        String text = message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
        cli.getErr().println("hotpatch: " + text + "; see '" + command + " --help'.");
        cli.getErr().flush();
        return ExitCodes.USAGE;
    }

    static String sentence(Exception e) {
        if (e instanceof InputException || e instanceof SignerException || e instanceof AtomicFile.WriteException) {
            return e.getMessage().endsWith(".") ? e.getMessage() : e.getMessage() + ".";
        }
        if (e instanceof NoSuchFileException nf) {
            return nf.getFile() + " does not exist; check the path.";
        }
        if (e instanceof AccessDeniedException ad) {
            return "permission denied for " + ad.getFile() + "; check its permissions.";
        }
        if (e instanceof IOException io) {
            return "could not read the input (" + io.getMessage() + "); check the path and permissions.";
        }
        return "internal error (" + e + "); please report it with the command you ran and --verbose output.";
    }

    /** A failure caused by the user's input, already phrased as one sentence (exit 1). */
    static final class InputException extends Exception {
        private static final long serialVersionUID = 1L;

        InputException(String message, Throwable cause) {
            super(message, cause);
        }

        static InputException malformed(String file, PeFormatException e) {
            return new InputException(file + " is not a valid PE image: " + e.getMessage()
                    + "; the file is malformed or not a Windows binary.", e);
        }
    }

    /** A mistake on the command line found after parsing (exit 2, with a pointer to the command's help). */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
