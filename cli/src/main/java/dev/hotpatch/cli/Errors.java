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
        boolean json = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--json"));
        if (e instanceof UsageException) {
            return usage(e.getMessage(), cli, json);
        }
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        cli.getErr().println("hotpatch: " + sentence(e));
        if (json) {
            printJson(cli, e instanceof InputException || e instanceof SignerException || e instanceof IOException
                    ? "input" : "internal", sentence(e), ExitCodes.ERROR);
        }
        if (verbose) {
            e.printStackTrace(cli.getErr());
        }
        cli.getErr().flush();
        return ExitCodes.ERROR;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        return usage(e.getMessage(), e.getCommandLine(), java.util.Arrays.asList(args).contains("--json"));
    }

    /** One line: what is wrong with the command line, and where the help is; with --json also as JSON on stdout. */
    private static int usage(String message, CommandLine cli, boolean json) {
        String command = cli.getCommandSpec().qualifiedName();
        String text = message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
        String line = text + "; see '" + command + " --help'.";
        cli.getErr().println("hotpatch: " + line);
        cli.getErr().flush();
        if (json) {
            printJson(cli, "usage", line, ExitCodes.USAGE);
        }
        return ExitCodes.USAGE;
    }

    /** An error as the JSON object docs/json.md describes, on stdout where a program reading --json looks. */
    private static void printJson(CommandLine cli, String kind, String message, int exitCode) {
        String text = new dev.hotpatch.report.JsonWriter().beginObject().field("schema_version", 1)
                .name("error").beginObject().field("kind", kind).field("message", message)
                .field("exit_code", exitCode).endObject().endObject().toString();
        cli.getOut().print(text.endsWith("\n") ? text : text + "\n");
        cli.getOut().flush();
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
