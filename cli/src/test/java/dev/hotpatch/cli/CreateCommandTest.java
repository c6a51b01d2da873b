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
        return run(out, new StringWriter(), args);
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = HotpatchCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
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
    void inspectShowsThePatchTablesAndSizeInTextAndJson(@TempDir Path tmp) {
        Path out = tmp.resolve("p.hpi");
        run(new StringWriter(), "create", sample("new_helper", "v1.exe").toString(),
                sample("new_helper", "v2.exe").toString(), "-o", out.toString());
        StringWriter text = new StringWriter();
        assertEquals(ExitCodes.OK, run(text, "inspect", out.toString()));
        assertTrue(text.toString().contains("Hot patch") && text.toString().contains("compute  replaces base 0x")
                && text.toString().contains("clamp_to_limit  new") && text.toString().contains("size: "), text.toString());
        StringWriter json = new StringWriter();
        assertEquals(ExitCodes.OK, run(json, "inspect", "--json", out.toString()));
        var doc = dev.hotpatch.testsupport.Json.object(dev.hotpatch.testsupport.Json.parse(json.toString()));
        var patch = dev.hotpatch.testsupport.Json.object(doc.get("hot_patch"));
        assertEquals(2, dev.hotpatch.testsupport.Json.array(patch.get("functions")).size(), json.toString());
        assertTrue((Long) dev.hotpatch.testsupport.Json.object(patch.get("size")).get("code") > 0, json.toString());
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
        StringWriter report = new StringWriter();
        StringWriter text = new StringWriter();
        int exit = run(report, text, "create", sample("global_size_changed", "v1.exe").toString(),
                sample("global_size_changed", "v2.exe").toString(), "-o", out.toString());
        assertEquals(ExitCodes.NOT_HOTPATCHABLE, exit, text.toString());
        assertTrue(text.toString().contains("`history`"), "the reasons are diagnostics, on stderr: " + text);
        assertEquals("", report.toString(), "nothing is reported on stdout when nothing is written");
        assertFalse(Files.exists(out));
    }
}
