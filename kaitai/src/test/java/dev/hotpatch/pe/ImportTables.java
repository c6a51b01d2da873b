package dev.hotpatch.pe;

import java.util.ArrayList;
import java.util.List;

/**
 * Describes import (or delay-load import) tables for tests and lays them out in a {@code .idata} section at
 * {@link #IDATA}: descriptors, then per DLL its lookup (name) table, its IAT, its name and hint/name entries.
 *
 * <pre>{@code
 * byte[] image = new ImportTables(true)
 *         .module("kernel32.dll").byName("GetTickCount", 7).byOrdinal(12)
 *         .buildImports();
 * }</pre>
 */
final class ImportTables {
    static final long IDATA = 0x3000;
    /** .text: 0x200 bytes of int3 at RVA 0x1000, no zero fill; the end of its raw data is the end of its memory. */
    static final long TEXT_END = 0x1200;
    private static final byte[] TEXT = filled(0x200, 0xcc);

    private final boolean pe32Plus;
    private final List<Module> modules = new ArrayList<>();
    private boolean vaBased;
    private long directoryRva = -1;
    private long sectionVirtualSize;
    private boolean tableAtEnd;

    static final class Module {
        final String dllName;
        final List<Object[]> functions = new ArrayList<>();   // {name or null, hint, ordinal}
        boolean noLookupTable;
        Long nameRva;
        Long lookupTableRva;
        Long iatRva;
        int repeat = 1;
        Long hintNameRva;

        Module(String dllName) {
            this.dllName = dllName;
        }
    }

    ImportTables(boolean pe32Plus) {
        this.pe32Plus = pe32Plus;
    }

    ImportTables module(String dllName) {
        modules.add(new Module(dllName));
        return this;
    }

    ImportTables byName(String name, int hint) {
        last().functions.add(new Object[] {name, hint, -1});
        return this;
    }

    ImportTables byOrdinal(int ordinal) {
        last().functions.add(new Object[] {null, -1, ordinal});
        return this;
    }

    /** {@code count} more imports by ordinal (1, 2, ...) in the last DLL. */
    ImportTables manyByOrdinal(int count) {
        for (int i = 1; i <= count; i++) {
            byOrdinal(i);
        }
        return this;
    }

    /** Old-linker style: OriginalFirstThunk 0, names only in the IAT. */
    ImportTables withoutLookupTable() {
        last().noLookupTable = true;
        return this;
    }

    /** Writes {@code count} descriptors for the last DLL, all sharing its tables. */
    ImportTables repeated(int count) {
        last().repeat = count;
        return this;
    }

    ImportTables dllNameRva(long rva) {
        last().nameRva = rva;
        return this;
    }

    ImportTables lookupTableRva(long rva) {
        last().lookupTableRva = rva;
        return this;
    }

    ImportTables iatRva(long rva) {
        last().iatRva = rva;
        return this;
    }

    /** The last DLL's last import by name points its thunk here instead of at its hint/name entry. */
    ImportTables hintNameRva(long rva) {
        last().hintNameRva = rva;
        return this;
    }

    /** The old delay-load form: attributes 0 and VAs instead of RVAs. */
    ImportTables vaBased() {
        vaBased = true;
        return this;
    }

    /** Points the data directory somewhere else. */
    ImportTables directoryRva(long rva) {
        directoryRva = rva;
        return this;
    }

    /**
     * Writes the descriptor table last, without its null descriptor, so that it ends exactly where .idata's
     * raw data ends: the next descriptor is either outside the file or, with {@link #sectionVirtualSize}, in
     * the section's zero-filled tail.
     */
    ImportTables descriptorsAtEndOfSection() {
        tableAtEnd = true;
        return this;
    }

    /** Makes the .idata section this big in memory (a zero-filled tail after the written bytes). */
    ImportTables sectionVirtualSize(long size) {
        sectionVirtualSize = size;
        return this;
    }

    byte[] buildImports() {
        return build(false);
    }

    byte[] buildDelayImports() {
        return build(true);
    }

    private Module last() {
        return modules.get(modules.size() - 1);
    }

    private long imageBase() {
        return pe32Plus ? TestImages.DEFAULT_IMAGE_BASE_64 : TestImages.DEFAULT_IMAGE_BASE_32;
    }

    private byte[] build(boolean delay) {
        int descriptorSize = delay ? 32 : 20;
        long bias = delay && vaBased ? imageBase() : 0;
        TestImages.Content c = new TestImages.Content(IDATA);
        int descriptors = modules.stream().mapToInt(m -> m.repeat).sum();
        int tableSize = descriptorSize * (descriptors + (tableAtEnd ? 0 : 1));
        long moduleHandle = c.zeros(8);
        long[] nameRvas = new long[modules.size()];
        long[] lookupRvas = new long[modules.size()];
        long[] iatRvas = new long[modules.size()];
        for (int k = 0; k < modules.size(); k++) {
            Module m = modules.get(k);
            c.align(8);
            long lookup = c.here();
            writeThunks(c, m);
            long iat = c.here();
            writeThunks(c, m);
            long name = c.cString(m.dllName);
            for (int i = 0; i < m.functions.size(); i++) {
                Object[] f = m.functions.get(i);
                if (f[0] == null) {
                    continue;
                }
                c.align(2);
                long entry = c.u16((Integer) f[1]);
                c.cString((String) f[0]);
                long value = (m.hintNameRva != null && i == lastNamed(m) ? m.hintNameRva : entry) + bias;
                patchThunk(c, lookup, i, value);
                patchThunk(c, iat, i, value);
            }
            nameRvas[k] = name;
            lookupRvas[k] = lookup;
            iatRvas[k] = iat;
        }
        if (tableAtEnd) {
            while ((c.here() - IDATA + tableSize) % TestImages.FILE_ALIGNMENT != 0) {
                c.u8(0);
            }
        } else {
            c.align(4);
        }
        long table = c.zeros(tableSize);
        long next = table;
        for (int k = 0; k < modules.size(); k++) {
            Module m = modules.get(k);
            long name = nameRvas[k];
            long lookup = lookupRvas[k];
            long iat = iatRvas[k];
            for (int r = 0; r < m.repeat; r++) {
                long d = next;
                next += descriptorSize;
                long nameRva = (m.nameRva != null ? m.nameRva : name) + bias;
                long lookupRva = (m.lookupTableRva != null ? m.lookupTableRva : m.noLookupTable ? 0 : lookup);
                long iatRva = (m.iatRva != null ? m.iatRva : iat) + bias;
                if (lookupRva != 0) {
                    lookupRva += bias;
                }
                if (delay) {
                    c.patchU32(d, vaBased ? 0 : 1);
                    c.patchU32(d + 4, nameRva);
                    c.patchU32(d + 8, moduleHandle + bias);
                    c.patchU32(d + 12, iatRva);
                    c.patchU32(d + 16, lookupRva);
                } else {
                    c.patchU32(d, lookupRva);
                    c.patchU32(d + 12, nameRva);
                    c.patchU32(d + 16, iatRva);
                }
            }
        }
        byte[] data = c.toByteArray();
        return (pe32Plus ? TestImages.pe32Plus() : TestImages.pe32())
                .section(".text", 0x1000, TEXT, 0, TestImages.CODE)
                .section(".idata", IDATA, data, Math.max(sectionVirtualSize, data.length), TestImages.DATA)
                .directory(delay ? DirectoryKind.DELAY_IMPORT : DirectoryKind.IMPORT,
                        directoryRva >= 0 ? directoryRva : table, tableSize)
                .build();
    }

    private static byte[] filled(int n, int b) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }

    private static int lastNamed(Module m) {
        for (int i = m.functions.size() - 1; i >= 0; i--) {
            if (m.functions.get(i)[0] != null) {
                return i;
            }
        }
        return -1;
    }

    private void writeThunks(TestImages.Content c, Module m) {
        for (Object[] f : m.functions) {
            long value = f[0] == null ? (pe32Plus ? 1L << 63 : 1L << 31) | (Integer) f[2] : 0;
            c.pointer(pe32Plus, value);
        }
        c.pointer(pe32Plus, 0);
    }

    private void patchThunk(TestImages.Content c, long table, int index, long value) {
        if (pe32Plus) {
            c.patchU64(table + 8L * index, value);
        } else {
            c.patchU32(table + 4L * index, value);
        }
    }
}
