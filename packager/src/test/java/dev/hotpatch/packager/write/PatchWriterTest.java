package dev.hotpatch.packager.write;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.HotPatchTablesReader;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * create on sample pairs: the patch image reads back with our reader, its load config leads to tables that
 * read back, with one record per changed or new function, the base's original bytes at every trampoline site,
 * every fixup inside the patch's code and aimed inside the base; the same inputs give the same bytes; and what
 * switch tables are rebuilt for where the patch puts their cases.
 */
class PatchWriterTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"constant_changed, x64", "constant_changed, x86", "constant_changed, arm64",
        "calls_unchanged_and_globals, x64", "calls_unchanged_and_globals, x86", "calls_unchanged_and_globals, arm64",
        "new_helper, x64", "new_helper, x86", "new_helper, arm64", "new_global, x64", "new_global, x86",
        "new_global, arm64", "new_import, x64", "new_import, x86", "new_import, arm64", "function_grows, x64",
        "function_grows, x86", "string_literal_changed, arm64", "cpp_exception_through_changed, x64",
        "switch_table_grows, x64", "switch_table_grows, x86", "switch_table_grows, arm64"})
    void patchReadsBackWithItsTables(String scenario, String arch, @TempDir Path tmp) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Path v1 = Files.exists(dir.resolve("v1.exe")) ? dir.resolve("v1.exe") : dir.resolve("v1.dll");
        Path v2 = v1.resolveSibling(v1.getFileName().toString().replace("v1", "v2"));
        Path out = tmp.resolve("patch.hpi");
        Packager.Created created = Packager.create(v1, v2, out, Differ.Options.defaults(), PatchWriter.Options.first());
        assertTrue(created.patchBytes().isPresent(), "a patch was written");

        PeImage base = PeReader.read(v1);
        PeImage patch = PeReader.read(out);
        assertEquals(base.machine(), patch.machine());
        assertTrue(patch.warnings().isEmpty(), () -> "reader warnings: " + patch.warnings());
        long tableRva = patch.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        Section hpatch = patch.sectionAt(tableRva).orElseThrow();
        HotPatchTables tables = HotPatchTablesReader.read(patch.readVirtual(tableRva, (int) hpatch.virtualSize()));

        DiffResult diff = created.diff();
        assertEquals(diff.withStatus(Status.CHANGED).size() + diff.withStatus(Status.NEW).size(), tables.functions().size());
        assertEquals(base.fileHeader().timeDateStamp(), tables.base().originalTimeDateStamp());
        assertEquals(base.optionalHeader().sizeOfImage(), tables.base().originalSizeOfImage());
        Section text = patch.section(".text").orElseThrow();
        for (FunctionRecord f : tables.functions()) {
            assertTrue(text.contains(f.patchRva()) && text.contains(f.patchRva() + f.patchSize() - 1), f::toString);
            if (f.redirect()) {
                assertArrayEquals(base.readVirtual(f.siteRva(), f.siteSize()), f.originalBytes(), f::toString);
            }
            for (FixupRecord x : f.fixups()) {
                assertTrue(text.contains(x.siteRva()), x::toString);
                assertTrue(x.targetRva() < base.optionalHeader().sizeOfImage(), x::toString);
            }
        }
        if (patch.machine() != Machine.I386) {
            PeImage newImage = PeReader.read(v2);
            for (FunctionRecord f : tables.functions()) {
                int own = patch.runtimeFunctions().indexOf(f.patchRva());
                int theirs = diff.functions().stream().filter(d -> d.name().equals(f.name()) && d.status() != Status.SAME)
                        .mapToInt(d -> newImage.runtimeFunctions().indexOf(d.newRva())).findFirst().orElseThrow();
                assertEquals(theirs >= 0, own >= 0, () -> f.name() + ": a .pdata entry in the patch iff in the new image");
                if (own >= 0) {
                    assertEquals(patch.runtimeFunctions().get(own).beginRva(), f.patchRva(), f.name());
                    assertEquals(newImage.runtimeFunctions().get(theirs).length(), patch.runtimeFunctions().get(own).length(),
                            f.name());
                }
            }
        }
        byte[] again = Files.readAllBytes(out);
        Packager.create(v1, v2, out, Differ.Options.defaults(), PatchWriter.Options.first());
        assertTrue(Arrays.equals(again, Files.readAllBytes(out)), "the same inputs give the same bytes");
    }

    /** pefile loads each machine's patch without structural warnings, with the CheckSum it computes itself. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"new_import, x64, exe", "new_import, x86, dll", "new_import, arm64, dll", "new_global, x86, exe"})
    void pefileAcceptsThePatch(String scenario, String arch, String kind, @TempDir Path tmp) throws Exception {
        Path python = dev.hotpatch.testsupport.ExternalTools.requirePythonModule("pefile", "python3-pefile");
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Path out = tmp.resolve("patch.hpi");
        Packager.create(dir.resolve("v1." + kind), dir.resolve("v2." + kind), out, Differ.Options.defaults(),
                PatchWriter.Options.first());
        String script = String.join("\n",
                "import pefile, sys",
                "pe = pefile.PE(sys.argv[1])",
                "known = ('entry point', 'AddressOfEntryPoint', 'truncat')",
                "bad = [w for w in pe.get_warnings() if not any(k in w for k in known)]",
                "print('warnings', bad)",
                "print('checksum', pe.OPTIONAL_HEADER.CheckSum == pe.generate_checksum())",
                "print('imports', [e.dll.decode() + '!' + i.name.decode() for e in getattr(pe, 'DIRECTORY_ENTRY_IMPORT', []) for i in e.imports])");
        Process p = new ProcessBuilder(python.toString(), "-c", script, out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        assertTrue(text.contains("warnings []"), text);
        assertTrue(text.contains("checksum True"), text);
        if (scenario.equals("new_import")) {
            assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains("kernel32.dll!lstrlena"), text);
        }
    }

    /**
     * The binutils and LLVM tools read the patch: {@code objdump -x} lists its sections and its new import (mingw
     * objdump for x86 and x64, llvm-objdump for ARM64, which binutils cannot read), and {@code llvm-readobj
     * --coff-load-config} shows the HotPatchTableOffset our load config holds.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"x64, exe, x86_64-w64-mingw32-objdump, binutils-mingw-w64-x86-64",
        "x86, dll, i686-w64-mingw32-objdump, binutils-mingw-w64-i686", "arm64, dll, llvm-objdump, llvm"})
    void objdumpAndLlvmReadobjReadThePatch(String arch, String kind, String objdump, String pkg, @TempDir Path tmp)
            throws Exception {
        Path tool = dev.hotpatch.testsupport.ExternalTools.require(objdump, pkg);
        Path readobj = dev.hotpatch.testsupport.ExternalTools.require("llvm-readobj", "llvm");
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve("new_import");
        Path out = tmp.resolve("patch.hpi");
        Packager.create(dir.resolve("v1." + kind), dir.resolve("v2." + kind), out, Differ.Options.defaults(),
                PatchWriter.Options.first());
        PeImage patch = PeReader.read(out);

        String headers = run(tool.toString(), "-x", out.toString());
        for (Section s : patch.sections()) {
            assertTrue(headers.contains(s.name()), () -> objdump + " lists section " + s.name() + ":\n" + headers);
        }
        assertTrue(headers.contains("DLL Name: kernel32.dll") && headers.contains("lstrlenA"),
                () -> objdump + " lists the new import:\n" + headers);

        String loadConfig = run(readobj.toString(), "--coff-load-config", out.toString());
        long table = patch.loadConfig().orElseThrow().hotPatchTableOffset().orElseThrow();
        assertTrue(loadConfig.contains("HotPatchTableOffset: 0x" + Long.toHexString(table).toUpperCase(java.util.Locale.ROOT)),
                () -> "llvm-readobj shows HotPatchTableOffset 0x" + Long.toHexString(table) + ":\n" + loadConfig);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> String.join(" ", command) + " failed:\n" + text);
        assertFalse(text.isBlank(), () -> String.join(" ", command) + " printed nothing");
        return text;
    }
}
