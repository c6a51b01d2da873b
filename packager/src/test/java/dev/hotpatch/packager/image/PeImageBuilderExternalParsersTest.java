package dev.hotpatch.packager.image;

import dev.hotpatch.pe.PeChecksum;
import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parsers that share no code with ours accept each machine's sample and see what was built: pefile (sections,
 * imports with their IAT slots, exports, relocations, load config, CheckSum), GNU objdump for x86 and x64
 * (sections, imports, relocations) and llvm-readobj for all three (sections, imports, HotPatchTableOffset and the
 * CFG table).
 */
class PeImageBuilderExternalParsersTest {

    /**
     * pefile warnings that say nothing about structure: its byte-frequency heuristic (a small image is mostly
     * file-alignment padding), and two about AddressOfEntryPoint 0, which the patch image has on purpose (no
     * DllMain) and which pefile checks without exempting 0.
     */
    private static final List<Pattern> NON_STRUCTURAL_PEFILE_WARNINGS = List.of(
            Pattern.compile("Byte 0x00 makes up [0-9.]+% of the file's contents\\. This may indicate truncation"
                    + " / malformation\\."),
            Pattern.compile(Pattern.quote("SizeOfHeaders is smaller than AddressOfEntryPoint: this file cannot run"
                    + " under Windows 8.")),
            Pattern.compile(Pattern.quote("AddressOfEntryPoint lies outside the sections' boundaries."
                    + " AddressOfEntryPoint: 0x0")));

    private static Path write(SampleImages.Sample s, Path dir) throws Exception {
        Path file = dir.resolve(s.machine().shortName() + ".dll");
        s.builder().writeTo(file);
        return file;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void pefileReadsWhatWasBuilt(Machine machine, @TempDir Path dir) throws Exception {
        Path python = ExternalTools.requirePythonModule("pefile", "python3-pefile");
        SampleImages.Sample s = SampleImages.build(machine);
        Path file = write(s, dir);
        Path script = RepoPaths.root().resolve("packager/src/test/java/dev/hotpatch/packager/image/pefile_facts.py");
        ProcessRun r = ProcessRun.run(python.toString(), script.toString(), file.toString());
        assertEquals(0, r.exitCode(), () -> "pefile could not read the image: " + r.describe());
        Map<String, Object> facts = Json.object(Json.parse(r.stdout()));

        List<String> structural = new ArrayList<>();
        for (Object w : Json.array(facts.get("warnings"))) {
            if (NON_STRUCTURAL_PEFILE_WARNINGS.stream().noneMatch(p -> p.matcher((String) w).matches())) {
                structural.add((String) w);
            }
        }
        assertEquals(List.of(), structural, "pefile warns about the image's structure");

        long checksum = PeChecksum.compute(s.bytes(), 0x98);
        assertEquals(checksum, facts.get("checksumInHeader"));
        assertEquals(checksum, facts.get("checksumGenerated"), "pefile's generate_checksum()");
        assertEquals(Boolean.TRUE, facts.get("verifyChecksum"));

        List<String> sections = new ArrayList<>();
        for (Object o : Json.array(facts.get("sections"))) {
            Map<String, Object> sec = Json.object(o);
            sections.add(sec.get("name") + "@" + hex((Long) sec.get("rva")));
        }
        List<String> expectedSections = new ArrayList<>();
        s.layout().sections().forEach(e -> expectedSections.add(e.name() + "@" + hex(e.rva())));
        expectedSections.add(".reloc@" + hex(s.layout().end()));
        assertEquals(expectedSections, sections);

        List<String> imports = new ArrayList<>();
        for (Object o : Json.array(facts.get("imports"))) {
            Map<String, Object> imp = Json.object(o);
            imports.add(imp.get("dll") + "!" + imp.get("name") + "@" + hex((Long) imp.get("iatRva")));
        }
        List<String> expectedImports = new ArrayList<>();
        s.imports().slots().forEach(x -> expectedImports.add(x.dll() + "!" + x.function() + "@" + hex(x.iatRva())));
        assertEquals(expectedImports, imports);

        List<String> exports = new ArrayList<>();
        for (Object o : Json.array(facts.get("exports"))) {
            Map<String, Object> e = Json.object(o);
            exports.add(e.get("name") + "@" + hex((Long) e.get("rva")));
        }
        assertEquals(List.of("answer@" + hex(s.exports().get("answer")), "measure@" + hex(s.exports().get("measure"))),
                exports);

        List<String> relocations = new ArrayList<>();
        for (Object o : Json.array(facts.get("relocations"))) {
            List<Object> pair = Json.array(o);
            relocations.add(hex((Long) pair.get(0)) + " " + BaseRelocationType.of(((Long) pair.get(1)).intValue()));
        }
        List<String> expectedRelocations = new ArrayList<>();
        s.relocations().forEach((rva, type) -> expectedRelocations.add(hex(rva) + " " + type));
        assertEquals(expectedRelocations, relocations);

        Map<String, Object> lc = Json.object(facts.get("loadConfig"));
        assertEquals((long) LoadConfigBuilder.structureSize(machine), lc.get("size"));
        assertEquals(s.hotPatchRva(), lc.get("hotPatchTableOffset"));
        assertEquals(0x500L, lc.get("guardFlags"));
        assertEquals(2L, lc.get("guardCfFunctionCount"));
        assertEquals(0L, lc.get("securityCookie"));

        if (machine == Machine.AMD64) {
            List<String> functions = new ArrayList<>();
            for (Object o : Json.array(facts.get("exceptions"))) {
                functions.add(hex((Long) Json.array(o).get(0)) + "-" + hex((Long) Json.array(o).get(1)));
            }
            List<String> expectedFunctions = new ArrayList<>();
            s.pdata().forEach(e -> expectedFunctions.add(hex(e[0]) + "-" + hex(e[1])));
            assertEquals(expectedFunctions, functions);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64"})
    void objdumpListsSectionsImportsAndRelocations(Machine machine, @TempDir Path dir) throws Exception {
        boolean x86 = machine == Machine.I386;
        Path objdump = x86 ? ExternalTools.require("i686-w64-mingw32-objdump", "binutils-mingw-w64-i686")
                : ExternalTools.require("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64");
        SampleImages.Sample s = SampleImages.build(machine);
        Path file = write(s, dir);
        ProcessRun r = ProcessRun.run(objdump.toString(), "-x", file.toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stderr().strip(), "objdump complains about the image");
        String out = r.stdout();
        assertTrue(out.contains("file format " + (x86 ? "pei-i386" : "pei-x86-64")), out);
        assertTrue(out.contains(String.format("CheckSum\t\t%08x", PeChecksum.compute(s.bytes(), 0x98))),
                "objdump shows our CheckSum:\n" + out);

        Matcher section = Pattern.compile("(?m)^\\s+\\d+\\s+(\\.\\w+)\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s").matcher(out);
        List<String> sections = new ArrayList<>();
        while (section.find()) {
            sections.add(section.group(1) + "@" + hex(Long.parseLong(section.group(2), 16) - s.builder().imageBase()));
        }
        List<String> expected = new ArrayList<>();
        s.layout().sections().forEach(e -> expected.add(e.name() + "@" + hex(e.rva())));
        expected.add(".reloc@" + hex(s.layout().end()));
        assertEquals(expected, sections);

        // "DLL Name: kernel32.dll", then the member table naming each function.
        Matcher dll = Pattern.compile("DLL Name: (\\S+)\\n\\s+vma:\\s+Hint/Ord Member-Name Bound-To\\n((?:\\s+[0-9a-f]+"
                + "\\s+\\d+\\s+\\S+\\n)+)").matcher(out);
        List<String> imports = new ArrayList<>();
        while (dll.find()) {
            for (String line : dll.group(2).strip().split("\\n")) {
                imports.add(dll.group(1) + "!" + line.strip().split("\\s+")[2]);
            }
        }
        assertEquals(List.of("kernel32.dll!lstrlenA", "user32.dll!MessageBoxA"), imports, out);

        Matcher reloc = Pattern.compile("(?m)^\\s+reloc\\s+\\d+ offset\\s+[0-9a-f]+ \\[([0-9a-f]+)\\] (\\w+)$")
                .matcher(out);
        List<String> relocations = new ArrayList<>();
        while (reloc.find()) {
            if (!reloc.group(2).equals("ABSOLUTE")) {
                relocations.add(hex(Long.parseLong(reloc.group(1), 16)) + " " + reloc.group(2));
            }
        }
        List<String> expectedRelocations = new ArrayList<>();
        s.relocations().forEach((rva, type) -> expectedRelocations.add(hex(rva) + " " + type));
        assertEquals(expectedRelocations, relocations);
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void llvmReadobjShowsHotPatchTableOffsetAndImports(Machine machine, @TempDir Path dir) throws Exception {
        Path readobj = ExternalTools.require("llvm-readobj", "llvm");
        SampleImages.Sample s = SampleImages.build(machine);
        Path file = write(s, dir);
        ProcessRun r = ProcessRun.run(readobj.toString(), "--coff-load-config", "--coff-imports", "--sections",
                file.toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stderr().strip(), "llvm-readobj warns about the image");
        String out = r.stdout();
        assertTrue(out.contains("Format: COFF-" + switch (machine) {
            case I386 -> "i386";
            case AMD64 -> "x86-64";
            default -> "ARM64";
        }), out);

        Matcher size = Pattern.compile("(?m)^\\s+Size: 0x([0-9A-F]+)$").matcher(out);
        assertTrue(size.find(), out);
        assertEquals(LoadConfigBuilder.structureSize(machine), Integer.parseInt(size.group(1), 16));
        assertTrue(out.contains("HotPatchTableOffset: " + hex(s.hotPatchRva()).toUpperCase(Locale.ROOT)
                .replace("0X", "0x")), "llvm-readobj shows HotPatchTableOffset " + hex(s.hotPatchRva()) + ":\n" + out);
        for (long f : s.guardCfFunctions()) {
            assertTrue(out.contains(hex(s.builder().imageBase() + f).toUpperCase(Locale.ROOT).replace("0X", "0x")),
                    "the GuardFidTable lists " + hex(f) + ":\n" + out);
        }

        Matcher section = Pattern.compile("Name: (\\.\\w+) \\(.*\\)\\n\\s+VirtualSize: 0x[0-9A-F]+\\n"
                + "\\s+VirtualAddress: 0x([0-9A-F]+)").matcher(out);
        List<String> sections = new ArrayList<>();
        while (section.find()) {
            sections.add(section.group(1) + "@" + hex(Long.parseLong(section.group(2), 16)));
        }
        List<String> expected = new ArrayList<>();
        s.layout().sections().forEach(e -> expected.add(e.name() + "@" + hex(e.rva())));
        expected.add(".reloc@" + hex(s.layout().end()));
        assertEquals(expected, sections);

        Matcher imp = Pattern.compile("Import \\{\\n\\s+Name: (\\S+)\\n\\s+ImportLookupTableRVA: 0x[0-9A-F]+\\n"
                + "\\s+ImportAddressTableRVA: 0x([0-9A-F]+)\\n\\s+Symbol: (\\w+) \\(0\\)\\n").matcher(out);
        List<String> imports = new ArrayList<>();
        while (imp.find()) {
            imports.add(imp.group(1) + "!" + imp.group(3) + "@" + hex(Long.parseLong(imp.group(2), 16)));
        }
        List<String> expectedImports = new ArrayList<>();
        s.imports().slots().forEach(x -> expectedImports.add(x.dll() + "!" + x.function() + "@" + hex(x.iatRva())));
        assertEquals(expectedImports, imports, "each DLL's IAT starts at its one function's slot");
    }
}
