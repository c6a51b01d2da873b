package dev.hotpatch.packager.write;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.apply.OfflineApplier;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.pe.LoadConfig;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A base built with Control Flow Guard (clang -cfguard, lld-link /guard:cf, x64): the patch's load config lists
 * every patch function as a valid indirect-call target, and the offline applier merges those into the base's
 * GuardCFFunctionTable, which llvm-readobj then shows.
 */
class ControlFlowGuardTest {
    private static final String V1 = String.join("\n",
            "__declspec(dllexport) int scale(int x) { return x * 3; }",
            "static int twice(int x) { return x * 2; }",
            "__declspec(dllexport) int (*pick(void))(int) { return twice; }", "");
    private static final String V2 = String.join("\n",
            "__declspec(dllexport) int scale(int x) { return x * 5; }",
            "static int twice(int x) { return x * 2; }",
            "__declspec(noinline) static int thrice(int x) { return x * 3; }",
            "__declspec(dllexport) int (*pick(void))(int) { return thrice; }", "");

    private static Path build(Path dir, String name, String source) throws Exception {
        Path clang = ExternalTools.require("clang", "clang");
        Path lld = ExternalTools.require("lld-link", "lld");
        Path work = Files.createDirectories(dir.resolve(name));
        Files.writeString(work.resolve("lib.c"), source);
        Files.copy(Path.of(ControlFlowGuardTest.class.getResource("/cfg/load_config.c").toURI()), work.resolve("lc.c"));
        run(work, clang.toString(), "--target=x86_64-pc-windows-msvc", "-O2", "-ffreestanding", "-Xclang", "-cfguard",
                "-c", "lc.c", "lib.c");
        run(work, lld.toString(), "/dll", "/noentry", "/nodefaultlib", "/guard:cf", "/Brepro", "/out:lib.dll", "lc.o", "lib.o");
        return work.resolve("lib.dll");
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void patchFunctionsBecomeValidCallTargets(@TempDir Path tmp) throws Exception {
        Path v1 = build(tmp, "v1", V1);
        Path v2 = build(tmp, "v2", V2);
        PeImage base = PeReader.read(v1);
        LoadConfig baseLc = base.loadConfig().orElseThrow();
        assertTrue((baseLc.guardFlags().orElse(0) & LoadConfig.GUARD_CF_INSTRUMENTED) != 0, "the base uses CFG");

        Path patchFile = tmp.resolve("patch.hpi");
        assertTrue(Packager.create(v1, v2, patchFile, Differ.Options.defaults(), PatchWriter.Options.first())
                .patchBytes().isPresent());
        PeImage patch = PeReader.read(patchFile);
        LoadConfig lc = patch.loadConfig().orElseThrow();
        assertTrue((lc.guardFlags().orElse(0) & LoadConfig.GUARD_CF_INSTRUMENTED) != 0, "the patch says it uses CFG");
        HotPatchTables tables = PatchImageTables.read(patch).orElseThrow();
        assertTrue(tables.functions().size() >= 2, "scale changed and thrice is new: " + tables.functions());
        for (FunctionRecord f : tables.functions()) {
            assertTrue(lc.guardCfFunctions().contains(f.patchRva()), f.name() + " is a valid call target");
        }

        Path applied = tmp.resolve("applied.dll");
        OfflineApplier.apply(v1, patchFile, applied);
        PeImage out = PeReader.read(applied);
        List<Long> merged = out.loadConfig().orElseThrow().guardCfFunctions();
        assertTrue(merged.containsAll(baseLc.guardCfFunctions()), "the base's targets stay valid");
        List<Long> added = new ArrayList<>(merged);
        added.removeAll(baseLc.guardCfFunctions());
        assertEquals(lc.guardCfFunctions().size(), added.size(), "each patch target is added: " + merged);
        long delta = added.get(0) - lc.guardCfFunctions().get(0);
        for (int i = 0; i < added.size(); i++) {
            assertEquals(lc.guardCfFunctions().get(i) + delta, added.get(i));
        }

        String readobj = run(tmp, ExternalTools.require("llvm-readobj", "llvm").toString(), "--coff-load-config",
                applied.toString());
        for (long rva : added) {
            assertTrue(readobj.contains(String.format("0x%X", out.imageBase() + rva)),
                    () -> "llvm-readobj lists the merged target 0x" + Long.toHexString(rva) + ":\n" + readobj);
        }
    }
}
