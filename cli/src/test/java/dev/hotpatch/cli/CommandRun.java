package dev.hotpatch.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code hotpatch} command line as {@code main} runs it, with what it printed. */
record CommandRun(int exit, String out, String err) {

    static CommandRun run(String... args) {
        CommandLine cli = HotpatchCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new CommandRun(cli.execute(args), out.toString(), err.toString());
    }
}
