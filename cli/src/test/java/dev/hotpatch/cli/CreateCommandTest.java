package dev.hotpatch.cli;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hotpatch create}: writes a patch when there is one to write, and nothing otherwise, with the exit codes. */
class CreateCommandTest {

    private static int run(StringWriter out, String... args) {
        CommandLine cli = new CommandLine(new HotpatchCommand());
        cli.setExecutionExceptionHandler(new Errors());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    private static Path sample(String scenario, String file) {
        return RepoPaths.testdataBin().resolve("x64").resolve(scenario).resolve(file);
    }

    @Test
    void writesAPatchForAChangedFunction(@TempDir Path tmp) {
        Path out = tmp.resolve("p.hpi");
        StringWriter text = new StringWriter();
        int exit = run(text, "create", sample("constant_changed", "v1.exe").toString(),
                sample("constant_changed", "v2.exe").toString(), "-o", out.toString());
        assertEquals(ExitCodes.OK, exit, text.toString());
        assertTrue(Files.exists(out) && text.toString().contains("1 changed"), text.toString());
    }

    @Test
    void nothingToPatchWritesNothingAndExits3(@TempDir Path tmp) {
        Path out = tmp.resolve("p.hpi");
        StringWriter text = new StringWriter();
        int exit = run(text, "create", sample("no_source_change", "v1.exe").toString(),
                sample("no_source_change", "v2.exe").toString(), "-o", out.toString());
        assertEquals(ExitCodes.NOTHING_TO_PATCH, exit, text.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void anUnpatchableDifferenceWritesNothingAndExits4(@TempDir Path tmp) {
        Path out = tmp.resolve("p.hpi");
        StringWriter text = new StringWriter();
        int exit = run(text, "create", sample("global_size_changed", "v1.exe").toString(),
                sample("global_size_changed", "v2.exe").toString(), "-o", out.toString());
        assertEquals(ExitCodes.NOT_HOTPATCHABLE, exit, text.toString());
        assertTrue(text.toString().contains("`history`"), text.toString());
        assertFalse(Files.exists(out));
    }
}
