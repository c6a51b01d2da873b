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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user sees from {@code hotpatch inspect}: output on success, one sentence and an exit code otherwise. */
class InspectCommandTest {

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HotpatchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void textReportNamesTheSectionsExportsAndFunctionSources() {
        Path dll = RepoPaths.testdataBin().resolve("x64/constant_changed/v1.dll");
        Result r = run("inspect", dll.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(".text"), r.out());
        assertTrue(r.out().contains("Exports ("), r.out());
        assertTrue(r.out().contains("pdata"), r.out());
        assertTrue(r.out().contains("coff_symbol"), r.out());
    }

    @Test
    void malformedInputIsOneSentenceWithExitCode1(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.exe");
        byte[] bytes = new byte[128];
        bytes[0] = 'M';
        bytes[1] = 'Z';
        bytes[0x3c] = (byte) 0xf0;   // e_lfanew far past the end of the file
        bytes[0x3d] = (byte) 0xff;
        Files.write(bad, bytes);
        Result r = run("inspect", bad.toString());
        assertEquals(ExitCodes.ERROR, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("dos_header.ofs_nt_headers at 0x3c"), r.err());
        assertTrue(r.err().contains("is not a valid PE image"), r.err());
    }

    @Test
    void missingFileSaysSo(@TempDir Path dir) {
        Result r = run("inspect", dir.resolve("nope.dll").toString());
        assertEquals(ExitCodes.ERROR, r.exit());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(ExitCodes.USAGE, run("inspect").exit());
        assertEquals(ExitCodes.USAGE, run("inspect", "a", "b").exit());
    }
}
