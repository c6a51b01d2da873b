package dev.hotpatch.packager.image;

import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the exception directory's function table ({@code .pdata}) from entries the caller provides, sorted by
 * begin RVA as the unwinder's binary search needs. x64: RUNTIME_FUNCTION (BeginAddress, EndAddress,
 * UnwindInfoAddress), 12 bytes each. ARM64: IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY (BeginAddress, then either packed
 * unwind data, Flag 1 or 2 in the low two bits, or the RVA of an .xdata record, Flag 0), 8 bytes each. x86 images
 * have no function table.
 */
public final class RuntimeFunctionTable {
    private final Machine machine;
    /** Begin RVA to {end, unwind} (x64) or {unwind word} (ARM64). */
    private final TreeMap<Long, long[]> entries = new TreeMap<>();

    public RuntimeFunctionTable(Machine machine) {
        if (machine != Machine.AMD64 && machine != Machine.ARM64) {
            throw new IllegalArgumentException("only x64 and ARM64 images have a .pdata function table, not "
                    + machine);
        }
        this.machine = machine;
    }

    /** An x64 function [begin, end) whose UNWIND_INFO is at {@code unwindInfo} (4-byte aligned). */
    public RuntimeFunctionTable add(long begin, long end, long unwindInfo) {
        if (machine != Machine.AMD64) {
            throw new IllegalArgumentException("an ARM64 entry is (begin, unwind word), not (begin, end, unwind)");
        }
        checkRva("begin", begin);
        checkRva("unwind info", unwindInfo);
        if (end <= begin || end > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format("x64 function [0x%x, 0x%x) ends before it begins",
                    begin, end));
        }
        if ((unwindInfo & 3) != 0) {
            throw new IllegalArgumentException(String.format(
                    "unwind info of the function at 0x%x is at 0x%x, which is not 4-byte aligned", begin, unwindInfo));
        }
        Map.Entry<Long, long[]> before = entries.floorEntry(end - 1);
        if (before != null && before.getValue()[0] > begin) {
            throw new IllegalArgumentException(String.format("x64 function [0x%x, 0x%x) overlaps [0x%x, 0x%x)",
                    begin, end, before.getKey(), before.getValue()[0]));
        }
        entries.put(begin, new long[] {end, unwindInfo});
        return this;
    }

    /**
     * An ARM64 function at {@code begin} (4-byte aligned) with {@code unwindWord}: packed unwind data (Flag 1 or
     * 2) or the RVA of its .xdata record (Flag 0, so 4-byte aligned).
     */
    public RuntimeFunctionTable add(long begin, int unwindWord) {
        if (machine != Machine.ARM64) {
            throw new IllegalArgumentException("an x64 entry is (begin, end, unwind info), not (begin, unwind word)");
        }
        checkRva("begin", begin);
        if ((begin & 3) != 0) {
            throw new IllegalArgumentException(String.format("ARM64 function at 0x%x is not 4-byte aligned", begin));
        }
        int flag = unwindWord & 3;
        if (flag == 3) {
            throw new IllegalArgumentException(String.format(
                    "unwind word 0x%08x of the function at 0x%x has the reserved Flag 3", unwindWord, begin));
        }
        if (flag == 0 && unwindWord == 0) {
            throw new IllegalArgumentException(String.format("the function at 0x%x has no unwind data", begin));
        }
        if (entries.containsKey(begin)) {
            throw new IllegalArgumentException(String.format("two ARM64 functions begin at 0x%x", begin));
        }
        entries.put(begin, new long[] {Integer.toUnsignedLong(unwindWord)});
        return this;
    }

    private static void checkRva(String what, long rva) {
        if (rva <= 0 || rva > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format("%s RVA 0x%x is outside any image", what, rva));
        }
    }

    public int entrySize() {
        return machine == Machine.AMD64 ? 12 : 8;
    }

    public int size() {
        return entries.size() * entrySize();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The table, sorted by begin RVA. */
    public byte[] bytes() {
        ByteBuffer buf = LittleEndian.allocate(size());
        for (Map.Entry<Long, long[]> e : entries.entrySet()) {
            buf.putInt((int) (long) e.getKey());                       // BeginAddress
            for (long v : e.getValue()) {
                buf.putInt((int) v);                                   // x64: EndAddress, UnwindInfoAddress
            }                                                          // ARM64: UnwindData
        }
        return buf.array();
    }

    /** Writes the table at {@code rva} (4-byte aligned, inside a reserved section) and sets the EXCEPTION directory. */
    public void writeTo(PeImageBuilder image, long rva) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the function table is empty; leave .pdata out instead");
        }
        if (image.machine() != machine) {
            throw new IllegalArgumentException("this function table is for " + machine + ", not " + image.machine());
        }
        if ((rva & 3) != 0) {
            throw new IllegalArgumentException(String.format("the function table's RVA 0x%x is not 4-byte aligned",
                    rva));
        }
        image.write(rva, bytes());
        image.directory(DirectoryKind.EXCEPTION, rva, size());
    }
}
