package dev.hotpatch.packager.apply;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A changed function of 3 bytes with the next function right after it and int3 padding before it (x64 DLLs built
 * by the test from resources/hop/*.s): the patch redirects it with the hot-patch hop, and after applying, under
 * unicorn, the function answers like v2 while its neighbours still answer as before.
 */
class HopTrampolineTest {

    private static Path build(Path dir, String version) throws Exception {
        Path gcc = ExternalTools.require("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
        Path source = dir.resolve(version + ".s");
        Files.copy(Path.of(HopTrampolineTest.class.getResource("/hop/" + version + ".s").toURI()), source);
        Path dll = dir.resolve(version + ".dll");
        run(gcc.toString(), "-shared", "-nostdlib", "-nostartfiles", "-Wl,--no-insert-timestamp", "-Wl,-e,0",
                "-o", dll.toString(), source.toString());
        return dll;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void aTooShortFunctionIsRedirectedThroughItsPadding(@TempDir Path tmp) throws Exception {
        Path python = ExternalTools.requirePythonModule("unicorn", "python3-unicorn");
        Path v1 = build(tmp, "v1");
        Path v2 = build(tmp, "v2");
        Path patch = tmp.resolve("patch.hpi");
        assertTrue(Packager.create(v1, v2, patch, Differ.Options.defaults(), PatchWriter.Options.first())
                .patchBytes().isPresent());
        HotPatchTables tables = PatchImageTables.read(PeReader.read(patch)).orElseThrow();
        assertEquals(1, tables.functions().size());
        FunctionRecord tiny = tables.functions().get(0);
        assertTrue(tiny.hop() && tiny.redirect(), tiny::toString);
        assertEquals(tiny.baseRva() - FunctionRecord.HOP_PADDING, tiny.siteRva());
        assertArrayEquals(PeReader.read(v1).readVirtual(tiny.siteRva(), 7), tiny.originalBytes());

        Path patched = tmp.resolve("patched.dll");
        OfflineApplier.apply(v1, patch, patched);
        // The bytes the engine wrote, read back independently of the tables: a jump in the padding that leads to
        // the patch's code where the applier put it, and the 2-byte hop back to it at the entry.
        dev.hotpatch.pe.PeImage out = PeReader.read(patched);
        byte[] site = out.readVirtual(tiny.siteRva(), 7);
        assertEquals((byte) 0xE9, site[0]);
        assertArrayEquals(new byte[] {(byte) 0xEB, (byte) 0xF9}, java.util.Arrays.copyOfRange(site, 5, 7));
        long rel = java.nio.ByteBuffer.wrap(site, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        long moved = out.section(".htext").orElseThrow().rva() - PeReader.read(patch).section(".text").orElseThrow().rva();
        assertEquals(tiny.patchRva() + moved, tiny.siteRva() + 5 + rel, "the jump in the padding leads to the patch");
        String probe = RepoPaths.root().resolve("testdata/tools/probe.py").toString();
        assertEquals("2", run(python.toString(), probe, patched.toString(), "tiny"), "tiny answers like v2");
        assertEquals("11", run(python.toString(), probe, patched.toString(), "other"), "the next function is intact");
        assertEquals("42", run(python.toString(), probe, patched.toString(), "first"), "the previous one too");
        assertEquals("0", run(python.toString(), probe, v1.toString(), "tiny"), "v1 answered otherwise");
    }
}
