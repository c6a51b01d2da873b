package dev.hotpatch.cli;

import dev.hotpatch.pe.PeFormatException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Turns failures into one sentence on stderr (the stack trace only with {@code --verbose}) and an exit code.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        cli.getErr().println("hotpatch: " + sentence(e));
        if (verbose) {
            e.printStackTrace(cli.getErr());
        }
        return ExitCodes.ERROR;
    }

    static String sentence(Exception e) {
        if (e instanceof InputException ie) {
            return ie.getMessage();
        }
        if (e instanceof dev.hotpatch.signer.SignerException se) {
            return se.getMessage();
        }
        if (e instanceof NoSuchFileException nf) {
            return nf.getFile() + " does not exist; check the path.";
        }
        if (e instanceof IOException io) {
            return "could not read the input (" + io.getMessage() + "); check the path and permissions.";
        }
        return "internal error (" + e + "); please report it with the command you ran and --verbose output.";
    }

    /** A failure caused by the user's input, already phrased as one sentence. */
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
}
