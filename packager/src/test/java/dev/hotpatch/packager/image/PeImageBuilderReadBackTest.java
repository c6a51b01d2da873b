package dev.hotpatch.packager.image;

import dev.hotpatch.pe.BaseRelocations;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.ExportTable;
import dev.hotpatch.pe.FileHeader;
import dev.hotpatch.pe.ImportedFunction;
import dev.hotpatch.pe.ImportedModule;
import dev.hotpatch.pe.LoadConfig;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.OptionalHeader;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.Section;
import dev.hotpatch.pe.X64UnwindInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our own reader reads each machine's sample back, with no warnings, and finds exactly what was built. */
class PeImageBuilderReadBackTest {

    private static PeImage read(SampleImages.Sample s) throws Exception {
        PeImage image = PeReader.read(s.bytes(), s.machine().shortName() + ".dll");
        assertEquals(List.of(), image.warnings(), "the reader warns about the built image");
        return image;
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void headersSayWhatTheDesignSays(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        boolean pe32Plus = machine != Machine.I386;
        FileHeader fh = image.fileHeader();
        OptionalHeader oh = image.optionalHeader();
        assertEquals(machine, image.machine());
        assertEquals(pe32Plus, image.is64Bit());
        assertEquals(0, fh.timeDateStamp());
        assertEquals(FileHeader.EXECUTABLE_IMAGE | FileHeader.DLL
                | (pe32Plus ? FileHeader.LARGE_ADDRESS_AWARE : FileHeader.MACHINE_32BIT), fh.characteristics());
        assertEquals(OptionalHeader.DLLCHAR_DYNAMIC_BASE | OptionalHeader.DLLCHAR_NX_COMPAT
                        | OptionalHeader.DLLCHAR_GUARD_CF | (pe32Plus ? OptionalHeader.DLLCHAR_HIGH_ENTROPY_VA : 0),
                oh.dllCharacteristics(), "DllCharacteristics (GUARD_CF set by the load config's CFG table)");
        assertEquals(0, oh.entryPointRva());
        assertEquals(pe32Plus ? 0x1_8000_0000L : 0x1000_0000L, oh.imageBase());
        assertEquals(0x1000, oh.sectionAlignment());
        assertEquals(0x200, oh.fileAlignment());
        assertEquals(14, oh.majorLinkerVersion());
        assertEquals(0, oh.minorLinkerVersion());
        assertEquals(PeImageBuilder.SUBSYSTEM_WINDOWS_GUI, oh.subsystem());
        assertEquals(16, oh.numberOfRvaAndSizes());
        long headers = 0x40 + 4 + 20 + (pe32Plus ? 0xF0 : 0xE0) + 40L * image.sections().size();
        assertEquals((headers + 0x1FF) & ~0x1FFL, oh.sizeOfHeaders(), "headers rounded up to the file alignment");

        List<Section> sections = image.sections();
        Section last = sections.get(sections.size() - 1);
        assertEquals((last.rva() + last.virtualSize() + 0xFFF) & ~0xFFFL, oh.sizeOfImage());
        assertEquals(0x200, oh.sizeOfCode(), ".text's raw size");
        long initialised = sections.stream().filter(x -> (x.characteristics() & Section.CNT_INITIALIZED_DATA) != 0)
                .mapToLong(Section::rawSize).sum();
        assertEquals(initialised, oh.sizeOfInitializedData());
        assertEquals(0, oh.sizeOfUninitializedData());
        assertEquals(s.text(), oh.baseOfCode());
        assertEquals(pe32Plus ? -1 : s.layout().rva(".rdata"), oh.baseOfData());
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void sectionsAreTheLaidOutOnesThenReloc(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        List<String> expected = new ArrayList<>();
        for (Layout.Entry e : s.layout().sections()) {
            expected.add(e.name() + " rva=0x" + Long.toHexString(e.rva()) + " size=0x"
                    + Long.toHexString(e.virtualSize()) + " flags=0x" + Long.toHexString(e.characteristics()));
        }
        long relocRva = s.layout().end();
        expected.add(".reloc rva=0x" + Long.toHexString(relocRva) + " size=0x"
                + Long.toHexString(image.directory(DirectoryKind.BASE_RELOCATION).orElseThrow().size())
                + " flags=0x42000040");
        List<String> actual = new ArrayList<>();
        long fileOffset = image.optionalHeader().sizeOfHeaders();
        for (Section x : image.sections()) {
            actual.add(x.name() + " rva=0x" + Long.toHexString(x.rva()) + " size=0x"
                    + Long.toHexString(x.virtualSize()) + " flags=0x" + Long.toHexString(x.characteristics()));
            assertEquals(fileOffset, x.rawOffset(), x.name() + " raw data follows the previous section's");
            assertEquals(0, x.rawSize() % 0x200, x.name() + " raw size is file-aligned");
            fileOffset += x.rawSize();
        }
        assertEquals(expected, actual);
        assertEquals(fileOffset, image.fileLength(), "the file ends with the last section's raw data");

        Section data = image.section(".data").orElseThrow();
        assertEquals(SampleImages.DATA_VIRTUAL_SIZE, data.virtualSize(), ".data keeps its zero-filled tail");
        assertEquals(0x200, data.rawSize(), "only .data's initialised bytes are in the file");
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void directoriesImportsAndExportsReadBack(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        ImportDirectory imports = s.imports();
        assertEquals(imports.descriptorRva(), image.directory(DirectoryKind.IMPORT).orElseThrow().address());
        assertEquals(imports.descriptorSize(), image.directory(DirectoryKind.IMPORT).orElseThrow().size());
        assertEquals(imports.iatRva(), image.directory(DirectoryKind.IAT).orElseThrow().address());
        assertEquals(imports.iatSize(), image.directory(DirectoryKind.IAT).orElseThrow().size());
        assertEquals(s.loadConfigRva(), image.directory(DirectoryKind.LOAD_CONFIG).orElseThrow().address());
        assertEquals(s.exportRva(), image.directory(DirectoryKind.EXPORT).orElseThrow().address());
        assertEquals(s.exportSize(), image.directory(DirectoryKind.EXPORT).orElseThrow().size());
        assertEquals(machine != Machine.I386, image.directory(DirectoryKind.EXCEPTION).isPresent());

        List<String> seen = new ArrayList<>();
        for (ImportedModule m : image.imports()) {
            for (ImportedFunction f : m.functions()) {
                seen.add(m.dllName() + "!" + f.name().orElseThrow() + "@0x" + Long.toHexString(f.iatRva()));
            }
        }
        List<String> built = new ArrayList<>();
        for (ImportDirectory.Slot slot : imports.slots()) {
            built.add(slot.dll() + "!" + slot.function() + "@0x" + Long.toHexString(slot.iatRva()));
        }
        assertEquals(built, seen);
        assertEquals(List.of("kernel32.dll!lstrlenA", "user32.dll!MessageBoxA"),
                imports.slots().stream().map(x -> x.dll() + "!" + x.function()).toList(),
                "DLLs and functions are sorted, whatever order they were added in");

        ExportTable exports = image.exports().orElseThrow();
        assertEquals("sample.dll", exports.dllName());
        for (Map.Entry<String, Long> e : s.exports().entrySet()) {
            assertEquals(e.getValue(), exports.byName(e.getKey()).orElseThrow().rva(), "export " + e.getKey());
        }
        assertEquals(1, exports.byName("answer").orElseThrow().ordinal(), "ordinals follow the sorted names");
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void relocationsReadBackSortedInPageBlocks(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        BaseRelocations relocations = image.relocations();
        assertTrue(relocations.isSortedByRva());
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < relocations.count(); i++) {
            seen.add("0x" + Long.toHexString(relocations.rva(i)) + " " + relocations.type(i));
        }
        List<String> expected = new ArrayList<>();
        s.relocations().forEach((rva, type) -> expected.add("0x" + Long.toHexString(rva) + " " + type));
        assertEquals(expected, seen);

        // One block per page; a block with an odd number of sites is padded with one ABSOLUTE entry.
        Map<Long, Long> perPage = new TreeMap<>();
        s.relocations().keySet().forEach(rva -> perPage.merge(rva & ~0xFFFL, 1L, Long::sum));
        long padding = perPage.values().stream().filter(n -> n % 2 == 1).count();
        assertEquals(padding, relocations.paddingCount());
        long blockBytes = perPage.values().stream().mapToLong(n -> 8 + 2 * (n + n % 2)).sum();
        assertEquals(blockBytes, image.directory(DirectoryKind.BASE_RELOCATION).orElseThrow().size());

        // The address fields hold image base + target, and the bytes they point at are what was written.
        int width = machine == Machine.I386 ? 4 : 8;
        ByteBuffer pointer = ByteBuffer.wrap(image.readVirtual(s.pointerRva(), width)).order(ByteOrder.LITTLE_ENDIAN);
        long va = width == 8 ? pointer.getLong() : Integer.toUnsignedLong(pointer.getInt());
        assertEquals(image.imageBase() + s.stringRva(), va);
        assertEquals(SampleImages.STRING, new String(image.readVirtual(va - image.imageBase(),
                SampleImages.STRING.length()), StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void loadConfigPointsAtTheHotPatchTable(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        LoadConfig lc = image.loadConfig().orElseThrow();
        boolean pe32Plus = machine != Machine.I386;
        assertEquals(pe32Plus ? 0xF4 : 0x98, lc.size());
        assertEquals(pe32Plus ? 0xF4 : 0x98, image.directory(DirectoryKind.LOAD_CONFIG).orElseThrow().size());
        assertEquals(s.hotPatchRva(), lc.hotPatchTableOffset().orElseThrow());
        assertEquals(0x54415048, ByteBuffer.wrap(image.readVirtual(s.hotPatchRva(), 4))
                .order(ByteOrder.LITTLE_ENDIAN).getInt(), "HotPatchTableOffset leads to the 'HPAT' block");
        assertEquals(0, lc.securityCookie().orElseThrow());
        assertEquals(LoadConfig.GUARD_CF_INSTRUMENTED | LoadConfig.GUARD_CF_FUNCTION_TABLE_PRESENT,
                lc.guardFlags().orElseThrow());
        assertEquals(s.guardCfFunctions(), lc.guardCfFunctions());
        assertEquals(s.guardCfFunctions().size(), lc.guardCfFunctionCount().orElseThrow());
        // Every other field is zero.
        for (Map.Entry<String, Long> f : lc.fields().entrySet()) {
            if (!List.of("len_load_config", "rva_hot_patch_table", "guard_flags", "va_guard_cf_function_table",
                    "num_guard_cf_functions").contains(f.getKey())) {
                assertEquals(0L, f.getValue(), "load config field " + f.getKey());
            }
        }
        assertTrue(lc.has("rva_hot_patch_table") && !lc.has("reserved3"), "Size ends right after HotPatchTableOffset");
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"AMD64", "ARM64"})
    void functionTableReadsBackSorted(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        RuntimeFunctions functions = image.runtimeFunctions();
        assertTrue(functions.isSorted());
        assertEquals(s.pdata().size(), functions.size());
        for (int i = 0; i < functions.size(); i++) {
            long[] e = s.pdata().get(i);
            assertEquals(e[0], functions.beginRva(i));
            if (machine == Machine.AMD64) {
                assertEquals(e[1], functions.endRva(i));
                assertEquals(e[2], functions.get(i).unwindRva());
            } else {
                assertEquals(2, functions.arm64PackedUnwind(i).functionLength());
            }
        }
        if (machine == Machine.AMD64) {
            // measure's UNWIND_INFO: a 4-byte prolog that allocates 0x28 bytes (UWOP_ALLOC_SMALL, info 4).
            assertEquals(4, functions.x64UnwindInfo(1).prologSize());
            assertEquals(List.of(new X64UnwindInfo.Code(4, 2, 4, 0x4204)),
                    functions.x64UnwindInfo(1).codes());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Machine.class, names = {"I386", "AMD64", "ARM64"})
    void checkSumIsTheStandardOne(Machine machine) throws Exception {
        SampleImages.Sample s = SampleImages.build(machine);
        PeImage image = read(s);
        long inHeader = image.optionalHeader().checkSum();
        assertTrue(inHeader != 0);
        assertEquals(Checksums.byDwords(s.bytes(), 0x98), inHeader);
    }
}
