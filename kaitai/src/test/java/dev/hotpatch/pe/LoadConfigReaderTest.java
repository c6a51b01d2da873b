package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.LoadConfigDirectory32;
import dev.hotpatch.kaitai.layout.LoadConfigDirectory64;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStruct;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalLong;

import static dev.hotpatch.pe.DirectoryImages.AMD64;
import static dev.hotpatch.pe.DirectoryImages.READ_ONLY;
import static dev.hotpatch.pe.DirectoryImages.read;
import static dev.hotpatch.pe.DirectoryImages.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load configuration directory, 32- and 64-bit, of every size an image may give it. */
class LoadConfigReaderTest {
    private static final long BASE_64 = 0x140000000L;
    private static final long BASE_32 = 0x400000L;

    private static KaitaiStruct zeroStruct(boolean pe32Plus) {
        ByteBufferKaitaiStream io = new ByteBufferKaitaiStream(new byte[0x400]);
        return pe32Plus ? new LoadConfigDirectory64(io) : new LoadConfigDirectory32(io);
    }

    /** Offset of a field in the structure, from the .ksy through read-pos. */
    private static int offsetOf(boolean pe32Plus, String id) {
        return (int) KaitaiParse.fieldOffset(zeroStruct(pe32Plus), id, 0);
    }

    private static int endOf(boolean pe32Plus, String id) {
        return (int) KaitaiParse.fieldEnd(zeroStruct(pe32Plus), id, 0);
    }

    @Test
    void hotPatchTableOffsetSitsWhereWinntHPutsIt() {
        assertEquals(0x94, offsetOf(false, "rva_hot_patch_table"));
        assertEquals(0xf0, offsetOf(true, "rva_hot_patch_table"));
        assertEquals(0x58, offsetOf(false, "guard_flags"));
        assertEquals(0x90, offsetOf(true, "guard_flags"));
        assertEquals(0x2c, offsetOf(false, "process_heap_flags"));   // before ProcessAffinityMask in PE32
        assertEquals(0x48, offsetOf(true, "process_heap_flags"));    // after it in PE32+
        assertEquals(0xc0, offsetOf(false, "va_uma_function_pointers"));
        assertEquals(0x140, offsetOf(true, "va_uma_function_pointers"));
        assertEquals(0xc4, LoadConfigReader.KNOWN_SIZE_32);
        assertEquals(0x148, LoadConfigReader.KNOWN_SIZE_64);
    }

    /** A load-config structure of {@code length} bytes; fields are set by .ksy id. */
    private static final class Struct {
        final boolean pe32Plus;
        final ByteBuffer buf;

        Struct(boolean pe32Plus, int length, long size) {
            this.pe32Plus = pe32Plus;
            this.buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            set("len_load_config", size);
        }

        Struct set(String id, long value) {
            int at = offsetOf(pe32Plus, id);
            switch (endOf(pe32Plus, id) - at) {
                case 2 -> buf.putShort(at, (short) value);
                case 4 -> buf.putInt(at, (int) value);
                default -> buf.putLong(at, value);
            }
            return this;
        }

        byte[] bytes() {
            return buf.array();
        }
    }

    /** An image whose .rdata at 0x2000 starts with {@code struct}, followed by {@code tail}. */
    private static byte[] image(boolean pe32Plus, byte[] struct, long directorySize, byte[] tail) {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.bytes(struct);
        r.bytes(tail);
        DirectoryImages.Builder b = pe32Plus ? DirectoryImages.pe32Plus(AMD64) : DirectoryImages.pe32();
        return b.section(".rdata", r, READ_ONLY).directory(DirectoryKind.LOAD_CONFIG, 0x2000, directorySize).build();
    }

    @Test
    void olderStructuresHaveFewerFields() throws Exception {
        int size = endOf(false, "guard_flags");
        Struct s = new Struct(false, size, size).set("va_security_cookie", BASE_32 + 0x2100).set("guard_flags", 0x100);
        PeImage image = read(image(false, s.bytes(), size, new byte[0]));
        LoadConfig lc = image.loadConfig().orElseThrow();
        assertEquals(size, lc.size());
        assertEquals(OptionalLong.of(BASE_32 + 0x2100), lc.securityCookie());
        assertEquals(OptionalLong.of(0x100), lc.guardFlags());
        assertTrue(lc.has("guard_flags"));
        assertFalse(lc.has("code_integrity_flags"));
        assertEquals(OptionalLong.empty(), lc.field("rva_hot_patch_table"));
        assertEquals(OptionalLong.empty(), lc.hotPatchTableOffset());
        assertEquals("len_load_config", lc.fields().keySet().iterator().next());
        assertEquals(List.of(), image.warnings());
    }

    @Test
    void fullPe32PlusStructureWithCfgTableAndHotPatchTable() throws Exception {
        int size = LoadConfigReader.KNOWN_SIZE_64;
        long table = 0x2000 + size;
        Struct s = new Struct(true, size, size)
                .set("guard_flags", 0x10000500L)                  // CF instrumented, table present, 1 metadata byte
                .set("va_guard_cf_function_table", BASE_64 + table)
                .set("num_guard_cf_functions", 3)
                .set("rva_hot_patch_table", 0x3000)
                .set("va_uma_function_pointers", BASE_64 + 0x5000);
        byte[] tail = {0x00, 0x10, 0, 0, 1, 0x40, 0x10, 0, 0, 0, 0x00, 0x11, 0, 0, 2};
        LoadConfig lc = read(image(true, s.bytes(), size, tail)).loadConfig().orElseThrow();
        assertEquals(List.of(0x1000L, 0x1040L, 0x1100L), lc.guardCfFunctions());
        assertEquals(OptionalLong.of(0x3000), lc.hotPatchTableOffset());
        assertEquals(OptionalLong.of(BASE_64 + 0x5000), lc.field("va_uma_function_pointers"));
        assertEquals(endOf(true, "va_uma_function_pointers"), size);
    }

    @Test
    void safeSehTableOfPe32() throws Exception {
        int size = LoadConfigReader.KNOWN_SIZE_32;
        Struct s = new Struct(false, size, size).set("va_se_handler_table", BASE_32 + 0x2000 + size)
                .set("num_se_handlers", 2);
        LoadConfig lc = read(image(false, s.bytes(), size, new byte[] {0x10, 0x10, 0, 0, 0x20, 0x10, 0, 0}))
                .loadConfig().orElseThrow();
        assertEquals(List.of(0x1010L, 0x1020L), lc.seHandlers());
        assertEquals(OptionalLong.of(2), lc.seHandlerCount());
    }

    @Test
    void newerStructuresAreReadAsFarAsKnownWithAWarning() throws Exception {
        int size = LoadConfigReader.KNOWN_SIZE_64 + 0x10;
        PeImage image = read(image(true, new Struct(true, size, size).bytes(), size, new byte[0]));
        assertTrue(image.loadConfig().orElseThrow().has("va_uma_function_pointers"));
        assertEquals(1, image.warnings().size());
        assertTrue(image.warnings().get(0).contains("larger than the 0x148 bytes this reader knows"),
                image.warnings().get(0));
    }

    @Test
    void structureSizeWinsOverDirectorySize() throws Exception {
        int size = LoadConfigReader.KNOWN_SIZE_32;
        PeImage image = read(image(false, new Struct(false, size, size).bytes(), 0x40, new byte[0]));
        assertEquals(size, image.loadConfig().orElseThrow().size());
        assertTrue(image.loadConfig().orElseThrow().has("va_uma_function_pointers"));
        assertTrue(image.warnings().get(0).contains("the structure's Size is used"), image.warnings().toString());
    }

    @Test
    void sizeTooSmallForAnyFieldIsIgnored() throws Exception {
        PeImage image = read(image(true, new Struct(true, 8, 2).bytes(), 8, new byte[0]));
        assertTrue(image.loadConfig().isEmpty());
        assertTrue(image.warnings().get(0).contains("too small"), image.warnings().toString());
    }

    // --- malformed ---

    @Test
    void directoryOutsideTheImage() {
        byte[] image = DirectoryImages.pe32Plus(AMD64).section(".rdata", new DirectoryImages.Bytes(0x2000), READ_ONLY)
                .directory(DirectoryKind.LOAD_CONFIG, 0x9000, 0x148).build();
        rejected(image, "data_directory[load_config]", "rva");
    }

    @Test
    void sizePastTheBytesBehindIt() {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.zeros(0x1d0);
        r.bytes(new Struct(true, 0x30, 0x148).bytes());
        byte[] image = DirectoryImages.pe32Plus(AMD64).section(".rdata", r, READ_ONLY)
                .directory(DirectoryKind.LOAD_CONFIG, 0x21d0, 0x148).build();
        PeFormatException e = rejected(image, "load_config", "len_load_config");
        assertEquals(0x400 + 0x1d0, e.offset());
    }

    @Test
    void cfgTableLongerThanTheLimit() {
        int size = LoadConfigReader.KNOWN_SIZE_64;
        Struct s = new Struct(true, size, size).set("va_guard_cf_function_table", BASE_64 + 0x2000)
                .set("num_guard_cf_functions", Limits.MAX_GUARD_TABLE_ENTRIES + 1L);
        PeFormatException e = rejected(image(true, s.bytes(), size, new byte[0]), "load_config",
                "num_guard_cf_functions");
        assertEquals(0x400 + offsetOf(true, "num_guard_cf_functions"), e.offset());
    }

    @Test
    void cfgTableOutsideTheImage() {
        int size = LoadConfigReader.KNOWN_SIZE_64;
        Struct s = new Struct(true, size, size).set("va_guard_cf_function_table", 0x1000)
                .set("num_guard_cf_functions", 1);
        rejected(image(true, s.bytes(), size, new byte[0]), "load_config", "va_guard_cf_function_table");
    }

    @Test
    void cfgTableRunningPastTheFile() {
        int size = LoadConfigReader.KNOWN_SIZE_64;
        Struct s = new Struct(true, size, size).set("va_guard_cf_function_table", BASE_64 + 0x2000 + size)
                .set("num_guard_cf_functions", 1000);
        rejected(image(true, s.bytes(), size, new byte[0]), "load_config", "va_guard_cf_function_table");
    }

    @Test
    void safeSehTableLongerThanTheLimit() {
        int size = LoadConfigReader.KNOWN_SIZE_32;
        Struct s = new Struct(false, size, size).set("va_se_handler_table", BASE_32 + 0x2000)
                .set("num_se_handlers", Limits.MAX_SEH_HANDLERS + 1L);
        rejected(image(false, s.bytes(), size, new byte[0]), "load_config", "num_se_handlers");
    }
}
