package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoffSymbolReaderTest {
    private static final int TEXT = 1;
    private static final int DATA = 2;
    private static final int FUNCTION = 0x20;

    /** Writes 18-byte symbol records and the string table that follows them. */
    static final class Symbols {
        private final ByteArrayOutputStream records = new ByteArrayOutputStream();
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private int count;
        private Long stringTableSize;
        private boolean unterminatedStrings;

        /** A symbol; names longer than 8 bytes go to the string table. */
        Symbols symbol(String name, long value, int section, int type, int storageClass, int numAux) {
            ByteBuffer r = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
            byte[] raw = name.getBytes(StandardCharsets.ISO_8859_1);
            if (raw.length <= 8) {
                r.put(raw);
            } else {
                r.putInt(0, 0).putInt(4, 4 + strings.size());
                strings.write(raw, 0, raw.length);
                strings.write(0);
            }
            r.putInt(8, (int) value).putShort(12, (short) section).putShort(14, (short) type)
                    .put(16, (byte) storageClass).put(17, (byte) numAux);
            records.write(r.array(), 0, 18);
            count++;
            return this;
        }

        /** A symbol whose long name is at {@code offset} in the string table, whatever is there. */
        Symbols symbolAtOffset(long offset) {
            ByteBuffer r = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(4, (int) offset).putShort(12, (short) TEXT).put(16, (byte) CoffSymbol.EXTERNAL);
            records.write(r.array(), 0, 18);
            count++;
            return this;
        }

        Symbols aux(String text) {
            byte[] a = new byte[18];
            byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(t, 0, a, 0, Math.min(18, t.length));
            records.write(a, 0, 18);
            count++;
            return this;
        }

        Symbols stringTableSize(long size) {
            stringTableSize = size;
            return this;
        }

        /** Appends a string without its NUL at the very end of the string table (and of the file). */
        Symbols unterminatedString(String s) {
            strings.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            unterminatedStrings = true;
            return this;
        }

        TestImages.Builder image() {
            byte[] body = strings.toByteArray();
            ByteBuffer table = ByteBuffer.allocate(4 + body.length).order(ByteOrder.LITTLE_ENDIAN);
            table.putInt((int) (stringTableSize != null ? stringTableSize : 4 + body.length)).put(body);
            return TestImages.pe32Plus()
                    .section(".text", 0x1000, new byte[0x100], 0, TestImages.CODE)
                    .section(".data", 0x2000, new byte[0x100], 0, TestImages.DATA)
                    .symbols(records.toByteArray(), count, table.array());
        }

        byte[] build() {
            return image().build();
        }
    }

    private static Symbols sample() {
        return new Symbols()
                .symbol(".file", 0, -2, 0, CoffSymbol.FILE, 1).aux("app.c")           // records 0-1
                .symbol("main", 0x10, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0)         // record 2
                .symbol("a_rather_long_function_name", 0x40, TEXT, FUNCTION, CoffSymbol.STATIC, 1)
                .aux("")                                                              // records 3-4
                .symbol("counter", 4, DATA, 0, CoffSymbol.EXTERNAL, 0)                // record 5
                .symbol(".L1", 0x44, TEXT, 0, CoffSymbol.LABEL, 0)                    // record 6
                .symbol("ExitProcess", 0, 0, FUNCTION, CoffSymbol.EXTERNAL, 0);       // record 7
    }

    @Test
    void readsEverySymbolWithItsNameValueSectionAndRva() throws Exception {
        CoffSymbols symbols = read(sample().build()).symbols();

        assertEquals(6, symbols.count());
        assertEquals(2, symbols.auxRecordCount());
        assertEquals(List.of(
                new CoffSymbol(0, ".file", -1, 0, -2, 0, CoffSymbol.FILE, 1, -1),
                new CoffSymbol(2, "main", -1, 0x10, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0, 0x1010),
                new CoffSymbol(3, "a_rather_long_function_name", 4, 0x40, TEXT, FUNCTION, CoffSymbol.STATIC, 1,
                        0x1040),
                new CoffSymbol(5, "counter", -1, 4, DATA, 0, CoffSymbol.EXTERNAL, 0, 0x2004),
                new CoffSymbol(6, ".L1", -1, 0x44, TEXT, 0, CoffSymbol.LABEL, 0, 0x1044),
                new CoffSymbol(7, "ExitProcess", 32, 0, 0, FUNCTION, CoffSymbol.EXTERNAL, 0, -1)),
                symbols.list());
    }

    @Test
    void findsSymbolsByRva() throws Exception {
        CoffSymbols symbols = read(sample().build()).symbols();

        assertEquals("main", symbols.at(0x1010).get(0).name());
        assertEquals("counter", symbols.at(0x2004).get(0).name());
        assertEquals(List.of(), symbols.at(0x1011));
        assertEquals("a_rather_long_function_name", symbols.functionAtOrBefore(0x1043).orElseThrow().name());
        assertEquals(".L1", symbols.functionAtOrBefore(0x1044).orElseThrow().name(), "labels count too");
        assertTrue(symbols.functionAtOrBefore(0x100f).isEmpty());
        assertTrue(symbols.get(1).isFunction());
    }

    @Test
    void symbolsWithoutAnRvaInsideTheImageAreWarnedAboutAndNotFoundByRva() throws Exception {
        PeImage pe = read(new Symbols()
                .symbol("nowhere", 0x10, 9, FUNCTION, CoffSymbol.EXTERNAL, 0)          // no section 9
                .symbol("beyond", 0x100000, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0)    // past SizeOfImage
                .symbol("main", 0x10, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0).build());
        CoffSymbols symbols = pe.symbols();

        assertEquals(3, symbols.count());
        assertEquals(List.of(), symbols.at(0x1000 + 0x100000));
        assertEquals("main", symbols.functionAtOrBefore(0x1000 + 0x100000).orElseThrow().name());
        assertEquals("main", symbols.at(0x1010).get(0).name());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.startsWith("2 COFF symbol(s) name a section")
                && w.contains("coff_symbol[0] names section 9")), pe.warnings().toString());
    }

    @Test
    void imageWithoutSymbolTableHasNoSymbols() throws Exception {
        byte[] image = TestImages.pe32().section(".text", 0x1000, new byte[16], 0, TestImages.CODE).build();

        assertTrue(read(image).symbols().isEmpty());
    }

    @Test
    void symbolTablePastTheEndOfTheFileIsIgnoredWithAWarning() throws Exception {
        PeImage pe = read(sample().image().symbolTableOffset(0x7fff0000L).build());

        assertTrue(pe.symbols().isEmpty());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("ofs_symbol_table")), pe.warnings().toString());
    }

    @Test
    void stringTablePastTheEndOfTheFileIsIgnoredWithAWarning() throws Exception {
        PeImage pe = read(sample().stringTableSize(0x10000).build());

        assertTrue(pe.symbols().isEmpty());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("coff_string_table.len_table")),
                pe.warnings().toString());
    }

    @Test
    void rejectsMoreSymbolsThanTheLimit() {
        Symbols many = new Symbols();
        for (int i = 0; i <= Limits.MAX_COFF_SYMBOLS; i++) {
            many.symbol("s", i, TEXT, 0, CoffSymbol.STATIC, 0);
        }

        PeFormatException e = assertRejected(many.build(), "coff_file_header", "num_symbols");
        assertEquals(0x40 + 4 + 12, e.offset(), "NumberOfSymbols in the COFF file header");
    }

    /** File offset of record {@code index} of the symbol table (PointerToSymbolTable, in the COFF file header). */
    private static long recordOffset(byte[] image, int index) {
        return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0x40 + 4 + 8) + 18L * index;
    }

    @Test
    void rejectsAuxRecordsPastTheEndOfTheTable() {
        byte[] image = new Symbols().symbol("main", 0, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0)
                .symbol("last", 0, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 2).aux("").build();
        PeFormatException e = assertRejected(image, "coff_symbol[1]", "num_aux_symbols");
        assertEquals(recordOffset(image, 1) + 17, e.offset(), "NumberOfAuxSymbols, the record's last byte");
    }

    @Test
    void rejectsLongNameOutsideTheStringTable() {
        byte[] image = new Symbols().symbol("main", 0, TEXT, FUNCTION, CoffSymbol.EXTERNAL, 0)
                .symbolAtOffset(0x1000).build();
        PeFormatException e = assertRejected(image, "coff_symbol[1]", "ofs_long_name");
        assertEquals(recordOffset(image, 1) + 4, e.offset(), "the offset half of the record's 8-byte name");
    }

    @Test
    void rejectsLongNameInsideTheSizeField() {
        byte[] image = new Symbols().symbolAtOffset(2).build();
        PeFormatException e = assertRejected(image, "coff_symbol[0]", "ofs_long_name");
        assertEquals(recordOffset(image, 0) + 4, e.offset());
    }

    @Test
    void rejectsUnterminatedLongName() {
        assertRejected(new Symbols().symbol("a_terminated_name", 0, TEXT, 0, CoffSymbol.EXTERNAL, 0)
                .symbolAtOffset(4 + 18).unterminatedString("no_nul_here").build(), "coff_symbol[1]", "ofs_long_name");
    }

    @Test
    void rejectsStringTableSmallerThanItsSizeField() {
        assertRejected(sample().stringTableSize(2).build(), "coff_string_table", "len_table");
    }
}
