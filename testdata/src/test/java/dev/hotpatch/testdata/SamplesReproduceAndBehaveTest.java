package dev.hotpatch.testdata;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs testdata/check.py: the build script reproduces every committed sample bit for bit, the x64 programs
 * print what expect.json says under Wine, every probe returns its expected value under the emulator, and the
 * changed/new/deleted lists agree with the machine code.
 */
class SamplesReproduceAndBehaveTest {

    @Test
    void samplesRebuildBitForBitAndMatchTheirExpectations() throws Exception {
        ExternalTools.require("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
        ExternalTools.require("x86_64-w64-mingw32-g++", "g++-mingw-w64-x86-64");
        ExternalTools.require("i686-w64-mingw32-gcc", "gcc-mingw-w64-i686");
        ExternalTools.require("i686-w64-mingw32-g++", "g++-mingw-w64-i686");
        ExternalTools.require("clang", "clang");
        ExternalTools.require("lld-link", "lld");
        ExternalTools.require("llvm-dlltool", "llvm");
        ExternalTools.require("wine", "wine");
        ExternalTools.require("llvm-pdbutil", "llvm");
        ExternalTools.require("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64");
        ExternalTools.requirePythonModule("unicorn", "python3-unicorn");
        Path python = ExternalTools.requirePythonModule("pefile", "python3-pefile");

        Path script = RepoPaths.root().resolve("testdata/check.py");
        Process p = new ProcessBuilder(python.toString(), script.toString())
                .directory(RepoPaths.root().toFile())
                .redirectErrorStream(true)
                .start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "check.py did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, p.exitValue(), "testdata/check.py reported mismatches:\n" + text);
    }
}
