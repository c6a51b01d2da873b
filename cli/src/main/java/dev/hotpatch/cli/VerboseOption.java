package dev.hotpatch.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}, shared by every command: {@link Errors} prints the stack trace of a failure when it is set. */
final class VerboseOption {
    @Option(names = "--verbose", description = "print the stack trace of an error")
    boolean verbose;
}
