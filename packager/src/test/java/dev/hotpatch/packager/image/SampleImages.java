package dev.hotpatch.packager.image;

import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.Machine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small patch-shaped DLLs built with every part of the image package, and what each should contain:
 * <ul>
 * <li>{@code .text}: {@code answer} (returns 42) and {@code measure} (returns {@code lstrlenA(*pointer)}, where
 *     the pointer in {@code .data} holds the address of "hotpatch": 8), 16-byte aligned;</li>
 * <li>{@code .rdata}: the string, imports of kernel32.dll!lstrlenA and user32.dll!MessageBoxA, exports of both
 *     functions, a load config whose HotPatchTableOffset points at a 64-byte "HPAT" block in {@code .rdata} and
 *     whose CFG table lists both functions, and (x64) their UNWIND_INFO;</li>
 * <li>{@code .data}: the relocated pointer, then a zero-filled tail with one more relocated slot a page later;</li>
 * <li>{@code .pdata} (x64, ARM64): one entry per function.</li>
 * </ul>
 * Sections are laid out before any content exists, then filled: the workflow the packager follows.
 */
final class SampleImages {
    static final String STRING = "hotpatch";
    static final long DATA_VIRTUAL_SIZE = 0x1800;
    static final long TAIL_SLOT = 0x1400;
    static final long ANSWER = 0;
    static final long MEASURE = 0x10;

    private SampleImages() {}

    /** A built sample and what it should contain. */
    record Sample(Machine machine, PeImageBuilder builder, byte[] bytes, Layout layout, ImportDirectory imports,
                  long exportRva, long exportSize, long loadConfigRva, long hotPatchRva, long stringRva,
                  long pointerRva, TreeMap<Long, BaseRelocationType> relocations, List<Long> guardCfFunctions,
                  List<long[]> pdata, Map<String, Long> exports) {

        long text() { return layout.rva(".text"); }

        long data() { return layout.rva(".data"); }
    }

    static Sample build(Machine machine) {
        PeImageBuilder image = new PeImageBuilder(machine);
        boolean x64 = machine == Machine.AMD64;

        // 1. Lay out: .text first (its size is known), then plan .rdata from sizes alone, then reserve the rest.
        long text = image.reserve(".text", 0x30, SectionFlags.CODE);
        long answer = text + ANSWER;
        long measure = text + MEASURE;
        ImportDirectoryBuilder imports = new ImportDirectoryBuilder(machine)
                .add("user32.dll", "MessageBoxA")
                .add("kernel32.dll", "lstrlenA");
        ExportDirectoryBuilder exports = new ExportDirectoryBuilder("sample.dll")
                .export("measure", measure).export("answer", answer);
        LoadConfigBuilder loadConfig = new LoadConfigBuilder(machine).guardCfFunctions(List.of(measure, answer));
        byte[] leafUnwind = {1, 0, 0, 0};                                // UNWIND_INFO v1, no prolog
        byte[] frameUnwind = {1, 4, 1, 0, 4, 0x42, 0, 0};                // prolog 4: UWOP_ALLOC_SMALL 0x28
        SectionSpace rdata = new SectionSpace();
        long stringOffset = rdata.allocate(STRING.length() + 1, 1);
        long importsOffset = rdata.allocate(imports.size(), imports.alignment());
        long exportsOffset = rdata.allocate(exports.size(), exports.alignment());
        long loadConfigOffset = rdata.allocate(loadConfig.size(), loadConfig.alignment());
        long hotPatchOffset = rdata.allocate(64, 8);
        long leafUnwindOffset = x64 ? rdata.allocate(leafUnwind.length, 4) : -1;
        long frameUnwindOffset = x64 ? rdata.allocate(frameUnwind.length, 4) : -1;

        long rdataRva = image.reserve(".rdata", rdata.size(), SectionFlags.READ_ONLY_DATA);
        long data = image.reserve(".data", DATA_VIRTUAL_SIZE, SectionFlags.READ_WRITE_DATA);
        RuntimeFunctionTable pdata = machine == Machine.I386 ? null : new RuntimeFunctionTable(machine);
        long pdataRva = pdata == null ? 0 : image.reserve(".pdata", 2L * (x64 ? 12 : 8),
                SectionFlags.READ_ONLY_DATA);

        // 2. Fill them.
        TreeMap<Long, BaseRelocationType> relocations = new TreeMap<>();
        BaseRelocationType pointer = image.pe32Plus() ? BaseRelocationType.DIR64 : BaseRelocationType.HIGHLOW;
        long stringRva = rdataRva + stringOffset;
        image.write(stringRva, STRING.getBytes(StandardCharsets.US_ASCII));
        ImportDirectory placed = imports.writeTo(image, rdataRva + importsOffset);
        long iat = placed.iatSlot("kernel32.dll", "lstrlenA");

        byte[] code = code(machine, measure, data, iat);
        byte[] textBytes = new byte[(int) MEASURE + code.length];
        Arrays.fill(textBytes, machine == Machine.ARM64 ? 0 : (byte) 0xCC);
        byte[] answerCode = machine == Machine.ARM64
                ? words(0x52800540, 0xD65F03C0)                          // mov w0, #42; ret
                : new byte[] {(byte) 0xB8, 42, 0, 0, 0, (byte) 0xC3};    // mov eax, 42; ret
        System.arraycopy(answerCode, 0, textBytes, 0, answerCode.length);
        System.arraycopy(code, 0, textBytes, (int) MEASURE, code.length);
        image.fill(".text", textBytes);
        if (machine == Machine.I386) {
            // push offset string; call [lstrlenA]: two absolute addresses in the code.
            image.writeAddress(measure + 1, stringRva);
            image.writeAddress(measure + 7, iat);
            relocations.put(measure + 1, pointer);
            relocations.put(measure + 7, pointer);
        }

        image.writeAddress(data, stringRva);                             // the pointer `measure` reads
        image.write(data + 8, new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88});
        image.relocation(data + TAIL_SLOT);                              // a slot in the zero-filled tail
        relocations.put(data, pointer);
        relocations.put(data + TAIL_SLOT, pointer);

        exports.writeTo(image, rdataRva + exportsOffset);

        long hotPatchRva = rdataRva + hotPatchOffset;
        byte[] header = new byte[64];
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x54415048).putShort(4, (short) 1)
                .putShort(6, (short) 64).putInt(8, 64);
        image.write(hotPatchRva, header);
        long loadConfigRva = rdataRva + loadConfigOffset;
        loadConfig.hotPatchTable(hotPatchRva).writeTo(image, loadConfigRva);
        relocations.put(loadConfigRva + (image.pe32Plus() ? 0x80 : 0x50), pointer);   // GuardCFFunctionTable

        List<long[]> pdataEntries = new ArrayList<>();
        if (x64) {
            image.write(rdataRva + leafUnwindOffset, leafUnwind);
            image.write(rdataRva + frameUnwindOffset, frameUnwind);
            pdata.add(measure, measure + code.length, rdataRva + frameUnwindOffset);
            pdata.add(answer, answer + answerCode.length, rdataRva + leafUnwindOffset);
            pdataEntries.add(new long[] {answer, answer + answerCode.length, rdataRva + leafUnwindOffset});
            pdataEntries.add(new long[] {measure, measure + code.length, rdataRva + frameUnwindOffset});
        } else if (pdata != null) {
            int packed = 1 | 2 << 2;                                     // Flag 1, FunctionLength 2 instructions
            pdata.add(measure, packed);
            pdata.add(answer, packed);
            pdataEntries.add(new long[] {answer, packed});
            pdataEntries.add(new long[] {measure, packed});
        }
        if (pdata != null) {
            pdata.writeTo(image, pdataRva);
        }
        return new Sample(machine, image, image.build(), image.layout(), placed, rdataRva + exportsOffset,
                exports.size(), loadConfigRva, hotPatchRva, stringRva, data, relocations,
                List.of(answer, measure), pdataEntries, Map.of("answer", answer, "measure", measure));
    }

    /** The code of {@code measure}: returns lstrlenA(*pointer) (x86 and x64), or 7 (ARM64). */
    private static byte[] code(Machine machine, long measure, long pointer, long iat) {
        switch (machine) {
            case I386:
                // push imm32 (address of the string); call [imm32] (the IAT slot); ret
                return new byte[] {0x68, 0, 0, 0, 0, (byte) 0xFF, 0x15, 0, 0, 0, 0, (byte) 0xC3};
            case AMD64: {
                ByteBuffer b = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
                b.put(new byte[] {0x48, (byte) 0x83, (byte) 0xEC, 0x28});              // sub rsp, 0x28
                b.put(new byte[] {0x48, (byte) 0x8B, 0x0D});                             // mov rcx, [rip+d]
                b.putInt((int) (pointer - (measure + 11)));
                b.put(new byte[] {(byte) 0xFF, 0x15});                                   // call [rip+d]
                b.putInt((int) (iat - (measure + 17)));
                b.put(new byte[] {0x48, (byte) 0x83, (byte) 0xC4, 0x28});               // add rsp, 0x28
                b.put((byte) 0xC3);                                                      // ret
                return b.array();
            }
            default:
                return words(0x528000E0, 0xD65F03C0);                                    // mov w0, #7; ret
        }
    }

    private static byte[] words(int... instructions) {
        ByteBuffer b = ByteBuffer.allocate(4 * instructions.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : instructions) {
            b.putInt(i);
        }
        return b.array();
    }
}
