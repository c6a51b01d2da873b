package dev.hotpatch.pdb;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hotpatch.pdb.TestPdbs.FORWARD_REF;
import static dev.hotpatch.pdb.TestPdbs.HAS_UNIQUE_NAME;
import static dev.hotpatch.pdb.TestPdbs.concat;
import static dev.hotpatch.pdb.TestPdbs.data32;
import static dev.hotpatch.pdb.TestPdbs.end;
import static dev.hotpatch.pdb.TestPdbs.gdata32;
import static dev.hotpatch.pdb.TestPdbs.gproc32;
import static dev.hotpatch.pdb.TestPdbs.lfArglist;
import static dev.hotpatch.pdb.TestPdbs.lfArray;
import static dev.hotpatch.pdb.TestPdbs.lfEnum;
import static dev.hotpatch.pdb.TestPdbs.lfModifier;
import static dev.hotpatch.pdb.TestPdbs.lfPointer;
import static dev.hotpatch.pdb.TestPdbs.lfStructure;
import static dev.hotpatch.pdb.TestPdbs.lfUnion;
import static dev.hotpatch.pdb.TestPdbs.numeric;
import static dev.hotpatch.pdb.TestPdbs.proc32;
import static dev.hotpatch.pdb.TestPdbs.pub32;
import static dev.hotpatch.pdb.TestPdbs.read;
import static dev.hotpatch.pdb.TestPdbs.symbols;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PDBs built from a description: what each symbol and type record turns into. */
class PdbReaderTest {

    @Test
    void identityFromTheInfoAndDbiStreams() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb().age(3).build());
        assertEquals(TestPdbs.GUID_TEXT, pdb.guid());
        assertArrayEquals(TestPdbs.GUID, pdb.guidBytes());
        assertEquals(3, pdb.age());
        assertEquals(3, pdb.infoAge());
        assertEquals(0x12345678, pdb.signature());
    }

    @Test
    void proceduresOfEveryKindWithModuleAndRva() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb()
                .module("a.obj", symbols(gproc32("g", 1, 0x10, 8), end(), proc32(0x110f, "l", 1, 0x20, 4), end()))
                .module("b.obj", symbols(proc32(0x1147, "gid", 2, 0, 12), end(), proc32(0x1146, "lid", 0, 5, 1),
                        end()))
                .build());
        assertEquals(List.of(
                new PdbProcedure("g", 1, 0x10, 8, 0x1010, "a.obj", true),
                new PdbProcedure("l", 1, 0x20, 4, 0x1020, "a.obj", false),
                new PdbProcedure("gid", 2, 0, 12, 0x2000, "b.obj", true),
                new PdbProcedure("lid", 0, 5, 1, -1, "b.obj", false)), pdb.procedures());
    }

    @Test
    void recordsStraddlingScatteredBlocks() throws Exception {
        byte[][] records = new byte[200][];
        for (int i = 0; i < records.length; i++) {
            records[i] = gproc32("function_with_a_long_name_" + i, 1, 16L * i, 16);
        }
        PdbFile pdb = read(new TestPdbs.Pdb().module("big.obj", symbols(records)).build());
        assertEquals(200, pdb.procedures().size());
        assertEquals(new PdbProcedure("function_with_a_long_name_199", 1, 16 * 199, 16, 0x1000 + 16 * 199,
                "big.obj", true), pdb.procedures().get(199));
    }

    @Test
    void largerBlocks() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb().blockSize(4096).module("a.obj", symbols(gproc32("f", 2, 8, 4)))
                .build());
        assertEquals(List.of(new PdbProcedure("f", 2, 8, 4, 0x2008, "a.obj", true)), pdb.procedures());
    }

    @Test
    void segmentOutsideTheSectionTableHasNoRva() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb().sections(0x1000).symbolRecords(pub32("p", true, 2, 4)).build());
        assertEquals(List.of(new PdbPublic("p", 2, 4, -1, true)), pdb.publics());
    }

    @Test
    void withoutSectionHeadersNothingHasAnRvaAndAWarningSaysWhy() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb().noSectionHeaders().symbolRecords(pub32("p", false, 1, 4)).build());
        assertEquals(-1, pdb.publics().get(0).rva());
        assertTrue(pdb.warnings().get(0).contains("no section header stream"), pdb.warnings().toString());
    }

    @Test
    void publicsAndGlobalDataFromTheSymbolRecordStream() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb()
                .symbolRecords(pub32("?f@@YAHXZ", true, 1, 0), pub32("counter", false, 3, 8),
                        gdata32("counter", 0x74, 3, 8), data32(0x1113, "tls_slot", 0x13, 4, 0))
                .sections(0x1000, 0x2000, 0x3000, 0x5000)
                .build());
        assertEquals(List.of(new PdbPublic("?f@@YAHXZ", 1, 0, 0x1000, true),
                new PdbPublic("counter", 3, 8, 0x3008, false)), pdb.publics());
        assertEquals(List.of(new PdbData("counter", 3, 8, 0x3008, 0x74, 4, true, false, ""),
                new PdbData("tls_slot", 4, 0, 0x5000, 0x13, 8, true, true, "")), pdb.dataSymbols());
    }

    @Test
    void dataInAModuleAndTheRecordStreamIsListedOnceWithItsModule() throws Exception {
        PdbFile pdb = read(new TestPdbs.Pdb()
                .module("a.obj", symbols(data32(0x110c, "table", 0x74, 2, 0)))
                .symbolRecords(data32(0x110c, "table", 0x74, 2, 0))
                .build());
        assertEquals(List.of(new PdbData("table", 2, 0, 0x2000, 0x74, 4, false, false, "a.obj")),
                pdb.dataSymbols());
    }

    @Test
    void sizesFromTypeRecords() throws Exception {
        byte[][] types = {
                lfArray(0x74, numeric(16)),                                              // 0x1000 int[4]
                lfStructure(HAS_UNIQUE_NAME, numeric(24), "S", ".?AUS@@"),               // 0x1001
                lfModifier(0x1001),                                                      // 0x1002 const S
                lfPointer(0x1001, 8),                                                    // 0x1003 S *
                lfEnum(0x75, "E"),                                                       // 0x1004
                lfUnion(0, numeric(0x12345), "U", ""),                                   // 0x1005 (LF_ULONG)
                lfArglist(),                                                             // 0x1006 (no size)
                lfModifier(0x1002),                                                      // 0x1007 const const S
        };
        long[] indices = {0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006, 0x1007, 0x74, 0x603, 0x3, 0x1008};
        long[] expected = {16, 24, 24, 8, 4, 0x12345, -1, 24, 4, 8, -1, -1};
        assertEquals(toList(expected), sizesOf(types, indices));
    }

    @Test
    void forwardReferenceTakesTheSizeOfTheDefinitionWithItsUniqueName() throws Exception {
        byte[][] types = {
                lfStructure(FORWARD_REF | HAS_UNIQUE_NAME, numeric(0), "T", ".?AUT@@"),  // 0x1000
                lfModifier(0x1000),                                                      // 0x1001 const T
                lfStructure(FORWARD_REF | HAS_UNIQUE_NAME, numeric(0), "N", ".?AUN@@"),  // 0x1002 never defined
                lfStructure(HAS_UNIQUE_NAME, numeric(40), "T", ".?AUT@@"),               // 0x1003
                lfUnion(FORWARD_REF, numeric(0), "V", ""),                               // 0x1004 by name
                lfUnion(0, numeric(12), "V", ""),                                        // 0x1005
        };
        assertEquals(List.of(40L, 40L, -1L, 40L, 12L), sizesOf(types, new long[] {0x1000, 0x1001, 0x1002, 0x1003,
                0x1004}));
    }

    @Test
    void forwardReferenceWithTwoDifferentDefinitionsStaysUnknown() throws Exception {
        byte[][] types = {
                lfStructure(FORWARD_REF | HAS_UNIQUE_NAME, numeric(0), "T", ".?AUT@@"),
                lfStructure(HAS_UNIQUE_NAME, numeric(40), "T", ".?AUT@@"),
                lfStructure(HAS_UNIQUE_NAME, numeric(48), "T", ".?AUT@@"),
        };
        assertEquals(List.of(-1L), sizesOf(types, new long[] {0x1000}));
    }

    @Test
    void primitiveTypeSizes() {
        assertEquals(4, PrimitiveTypes.size(0x74));    // T_INT4
        assertEquals(1, PrimitiveTypes.size(0x10));    // T_CHAR
        assertEquals(8, PrimitiveTypes.size(0x41));    // T_REAL64
        assertEquals(8, PrimitiveTypes.size(0x603));   // T_64PVOID
        assertEquals(4, PrimitiveTypes.size(0x403));   // T_32PVOID
        assertEquals(2, PrimitiveTypes.size(0x71));    // T_WCHAR
        assertEquals(16, PrimitiveTypes.size(0x78));   // T_INT16 (128-bit)
        assertEquals(-1, PrimitiveTypes.size(0x03));   // T_VOID
        assertEquals(-1, PrimitiveTypes.size(0x00));   // T_NOTYPE
        assertEquals(-1, PrimitiveTypes.size(0x174));  // 16-bit near pointer
    }

    /** Sizes of data symbols whose types are the given indices into the given TPI records. */
    private static List<Long> sizesOf(byte[][] types, long[] typeIndices) throws Exception {
        byte[][] records = new byte[typeIndices.length][];
        for (int i = 0; i < typeIndices.length; i++) {
            records[i] = gdata32("d" + i, typeIndices[i], 3, 4L * i);
        }
        PdbFile pdb = read(new TestPdbs.Pdb().types(types).module("m.obj", symbols(concat(records))).build());
        return pdb.dataSymbols().stream().map(PdbData::size).toList();
    }

    private static List<Long> toList(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
