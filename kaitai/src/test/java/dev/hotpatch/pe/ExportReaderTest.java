package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportReaderTest {
    private static final long RDATA = 0x2000;
    // IMAGE_EXPORT_DIRECTORY field offsets, for tests that write a bad value into one field.
    private static final int NAME = 12;
    private static final int NUM_FUNCTIONS = 20;
    private static final int NUM_NAMES = 24;
    private static final int RVA_FUNCTIONS = 28;

    /** Describes an export directory: slots in ordinal order, each with its names. */
    static final class Exports {
        private final String dllName;
        private final long ordinalBase;
        private final List<Long> rvas = new ArrayList<>();
        private final Map<Integer, String> forwarders = new TreeMap<>();
        private final Map<String, Integer> names = new TreeMap<>();   // the name pointer table is sorted
        private final Map<Integer, Long> directoryFields = new LinkedHashMap<>();
        private final Map<String, Integer> ordinalOverrides = new TreeMap<>();
        private boolean unterminatedLastName;

        Exports(String dllName, long ordinalBase) {
            this.dllName = dllName;
            this.ordinalBase = ordinalBase;
        }

        Exports function(long rva, String... exportNames) {
            for (String n : exportNames) {
                names.put(n, rvas.size());
            }
            rvas.add(rva);
            return this;
        }

        Exports unused() {
            rvas.add(0L);
            return this;
        }

        Exports forwarder(String target, String name) {
            forwarders.put(rvas.size(), target);
            return function(0, name);
        }

        /** Writes {@code value} into the directory field at {@code offset} after laying the directory out. */
        Exports field(int offset, long value) {
            directoryFields.put(offset, value);
            return this;
        }

        Exports ordinalOf(String name, int slot) {
            ordinalOverrides.put(name, slot);
            return this;
        }

        /** The last name string runs to the end of the section's raw data without a NUL. */
        Exports unterminatedLastName() {
            unterminatedLastName = true;
            return this;
        }

        byte[] build() {
            TestImages.Content c = new TestImages.Content(RDATA);
            long dir = c.zeros(40);
            long functions = c.here();
            rvas.forEach(c::u32);
            long namePointers = c.here();
            names.keySet().forEach(n -> c.u32(0));
            long ordinals = c.here();
            names.forEach((n, slot) -> c.u16(ordinalOverrides.getOrDefault(n, slot)));
            c.align(4);
            forwarders.forEach((slot, target) -> c.patchU32(functions + 4L * slot, c.cString(target)));
            long dirEnd = c.here();
            long dllNameRva = c.cString(dllName);
            int i = 0;
            for (String n : names.keySet()) {
                boolean last = i == names.size() - 1;
                c.patchU32(namePointers + 4L * i++, last && unterminatedLastName ? c.ascii(n) : c.cString(n));
            }
            if (unterminatedLastName) {
                c.fill(TestImages.FILE_ALIGNMENT, 'x');
            }
            c.patchU32(dir + 4, 0x5f000000L);
            c.patchU32(dir + NAME, dllNameRva);
            c.patchU32(dir + 16, ordinalBase);
            c.patchU32(dir + NUM_FUNCTIONS, rvas.size());
            c.patchU32(dir + NUM_NAMES, names.size());
            c.patchU32(dir + RVA_FUNCTIONS, functions);
            c.patchU32(dir + 32, namePointers);
            c.patchU32(dir + 36, ordinals);
            directoryFields.forEach((offset, value) -> c.patchU32(dir + offset, value));
            return TestImages.pe32Plus().dll()
                    .section(".text", 0x1000, new byte[0x100], 0, TestImages.CODE)
                    .section(".rdata", c)
                    .directory(DirectoryKind.EXPORT, dir, dirEnd - dir)
                    .build();
        }
    }

    private static Exports sample() {
        return new Exports("sample.dll", 5)
                .function(0x1000, "alpha")             // ordinal 5
                .unused()                              // ordinal 6: a gap
                .function(0x1010, "beta", "betaAlias") // ordinal 7 under two names
                .forwarder("NTDLL.RtlAllocateHeap", "heapAlloc")
                .function(0x1020);                     // ordinal 9, by ordinal only
    }

    @Test
    void readsNamesOrdinalsRvasAndForwarders() throws Exception {
        ExportTable exports = read(sample().build()).exports().orElseThrow();

        assertEquals("sample.dll", exports.dllName());
        assertEquals(5, exports.ordinalBase());
        assertEquals(0x5f000000L, exports.timeDateStamp());
        assertEquals(List.of(
                new ExportEntry(5, Optional.of("alpha"), 0x1000, Optional.empty()),
                new ExportEntry(7, Optional.of("beta"), 0x1010, Optional.empty()),
                new ExportEntry(7, Optional.of("betaAlias"), 0x1010, Optional.empty()),
                new ExportEntry(8, Optional.of("heapAlloc"), exports.entries().get(3).rva(),
                        Optional.of("NTDLL.RtlAllocateHeap")),
                new ExportEntry(9, Optional.empty(), 0x1020, Optional.empty())), exports.entries());
    }

    @Test
    void findsExportsByNameAndOrdinal() throws Exception {
        ExportTable exports = read(sample().build()).exports().orElseThrow();

        assertEquals(0x1010, exports.byName("betaAlias").orElseThrow().rva());
        assertEquals(0x1020, exports.byOrdinal(9).orElseThrow().rva());
        assertTrue(exports.byOrdinal(6).isEmpty(), "ordinal 6 is a gap");
        assertTrue(exports.byName("gamma").isEmpty());
    }

    @Test
    void imageWithoutExportDirectoryHasNone() throws Exception {
        byte[] image = TestImages.pe32().section(".text", 0x1000, new byte[16], 0, TestImages.CODE).build();

        assertTrue(read(image).exports().isEmpty());
    }

    @Test
    void directoryWithoutDllNameIsReadWithAWarning() throws Exception {
        PeImage image = read(sample().field(NAME, 0).build());

        assertEquals("", image.exports().orElseThrow().dllName());
        assertTrue(image.warnings().stream().anyMatch(w -> w.contains("export_directory.rva_name is 0")));
    }

    @Test
    void rejectsTooManyFunctions() {
        PeFormatException e = assertRejected(sample().field(NUM_FUNCTIONS, Limits.MAX_EXPORTS + 1L).build(),
                "export_directory", "num_functions");
        assertEquals(0x400 + NUM_FUNCTIONS, e.offset(), "the field's file offset (.rdata's raw data is at 0x400)");
        assertTrue(e.expected().contains("MAX_EXPORTS"), e.getMessage());
    }

    @Test
    void rejectsTooManyNames() {
        assertRejected(sample().field(NUM_NAMES, Limits.MAX_EXPORTS + 1L).build(), "export_directory", "num_names");
    }

    @Test
    void rejectsAddressTableOutsideSections() {
        assertRejected(sample().field(RVA_FUNCTIONS, 0x9000).build(), "export_directory", "rva_functions");
    }

    @Test
    void rejectsAddressTableLongerThanItsSection() {
        assertRejected(sample().field(NUM_FUNCTIONS, 0x4000).build(), "export_directory", "rva_functions");
    }

    @Test
    void rejectsOrdinalPastTheAddressTable() {
        assertRejected(sample().ordinalOf("beta", 5).build(), "export_ordinal_table", "ordinals[1]");
    }

    @Test
    void rejectsUnterminatedName() {
        assertRejected(sample().unterminatedLastName().build(), "export_name_pointer_table", "rva_names[3]");
    }

    @Test
    void rejectsDirectoryOutsideSections() {
        byte[] image = TestImages.pe32().section(".text", 0x1000, new byte[16], 0, TestImages.CODE)
                .directory(DirectoryKind.EXPORT, 0x8000, 40).build();

        PeFormatException e = assertRejected(image, "data_directory[export]", "rva");
        assertEquals(0x40 + 24 + 96, e.offset(), "the first data directory entry of a PE32 header");
    }
}
