package dev.hotpatch.packager.image;

import dev.hotpatch.pe.Machine;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A built x64 DLL loads and runs under Wine: a small mingw-compiled loader first reserves the DLL's preferred
 * base (so the loader must apply our .reloc), then LoadLibraryA, GetProcAddress of both exports, and calls them.
 * {@code answer} is {@code mov eax, 42; ret}; {@code measure} calls lstrlenA through our IAT on the string that
 * the relocated pointer in .data names. Wine's exit code is not trusted: the output is checked.
 */
class PeImageBuilderWineTest {

    private static final String LOADER = """
            #include <windows.h>
            #include <stdio.h>

            int main(int argc, char **argv) {
                if (argc != 3) {
                    printf("usage: loader DLL PREFERRED-BASE\\n");
                    return 2;
                }
                void *preferred = (void *) (ULONG_PTR) _strtoui64(argv[2], NULL, 16);
                void *blocker = VirtualAlloc(preferred, 0x10000, MEM_RESERVE, PAGE_NOACCESS);
                HMODULE dll = LoadLibraryA(argv[1]);
                if (!dll) {
                    printf("LoadLibraryA failed: error %lu\\n", GetLastError());
                    return 1;
                }
                int (*answer)(void) = (int (*)(void)) GetProcAddress(dll, "answer");
                int (*measure)(void) = (int (*)(void)) GetProcAddress(dll, "measure");
                if (!answer || !measure) {
                    printf("GetProcAddress failed: error %lu\\n", GetLastError());
                    return 1;
                }
                printf("answer=%d measure=%d blocked=%d relocated=%d\\n", answer(), measure(), blocker != NULL,
                       (void *) dll != preferred);
                return 0;
            }
            """;

    @Test
    void builtDllLoadsAndRunsUnderWine(@TempDir Path dir) throws Exception {
        Path gcc = ExternalTools.require("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
        Path wine = ExternalTools.require("wine", "wine");

        SampleImages.Sample s = SampleImages.build(Machine.AMD64);
        s.builder().writeTo(dir.resolve("built.dll"));
        Files.writeString(dir.resolve("loader.c"), LOADER);
        ProcessRun cc = ProcessRun.run(dir, Map.of(), List.of(gcc.toString(), "-O1", "-o", "loader.exe",
                "loader.c"));
        assertEquals(0, cc.exitCode(), () -> "the loader does not compile: " + cc.describe());

        ProcessRun run = ProcessRun.run(dir, Map.of("WINEDEBUG", "-all"), List.of(wine.toString(), "loader.exe",
                "built.dll", Long.toHexString(s.builder().imageBase())));
        Matcher m = Pattern.compile("answer=(-?\\d+) measure=(-?\\d+) blocked=(\\d) relocated=(\\d)")
                .matcher(run.stdout());
        assertTrue(m.find(), () -> "the loader printed no result under Wine: " + run.describe());
        assertEquals("42", m.group(1), "answer() returns 42");
        assertEquals(String.valueOf(SampleImages.STRING.length()), m.group(2),
                "measure() calls lstrlenA through the IAT on the string the relocated pointer names");
        assertEquals("1", m.group(3), "the loader could reserve the DLL's preferred base: " + run.stdout());
        assertEquals("1", m.group(4), "the DLL was loaded elsewhere, so our .reloc was applied");
    }
}
