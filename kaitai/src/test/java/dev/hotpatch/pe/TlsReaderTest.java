package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hotpatch.pe.TestImages.assertRejected;
import static dev.hotpatch.pe.TestImages.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsReaderTest {
    private static final long TLS = 0x3000;

    /** Lays out a TLS directory, its callback array, index slot and template data in a .tls section. */
    static final class Tls {
        private final boolean pe32Plus;
        private final long imageBase;
        private long[] callbackVas = new long[0];
        private Long callbacksVa;
        private Long indexVa;
        private Long rawDataEndVa;
        private long sectionVirtualSize;
        private boolean callbacksLast;

        Tls(boolean pe32Plus) {
            this.pe32Plus = pe32Plus;
            this.imageBase = pe32Plus ? TestImages.DEFAULT_IMAGE_BASE_64 : TestImages.DEFAULT_IMAGE_BASE_32;
        }

        /** Callbacks at these RVAs (written as VAs). */
        Tls callbacks(long... rvas) {
            callbackVas = java.util.Arrays.stream(rvas).map(r -> r + imageBase).toArray();
            return this;
        }

        Tls callbackVas(long... vas) {
            callbackVas = vas;
            return this;
        }

        Tls callbacksVa(long va) {
            callbacksVa = va;
            return this;
        }

        Tls indexVa(long va) {
            indexVa = va;
            return this;
        }

        Tls rawDataEndVa(long va) {
            rawDataEndVa = va;
            return this;
        }

        /** Writes the callback array last, without its zero entry, followed only by the zero-filled tail. */
        Tls callbacksEndInZeroFill() {
            callbacksLast = true;
            sectionVirtualSize = 0x1000;
            return this;
        }

        byte[] build() {
            TestImages.Content c = new TestImages.Content(TLS);
            long dir = c.zeros(pe32Plus ? 40 : 24);
            long index = c.u32(0);
            c.align(8);
            long rawStart = c.u64(0x1122334455667788L);
            long rawEnd = c.here();
            long callbacks = c.here();
            for (long va : callbackVas) {
                c.pointer(pe32Plus, va);
            }
            if (!callbacksLast) {
                c.pointer(pe32Plus, 0);
            }
            long[] fields = {rawStart + imageBase, rawDataEndVa != null ? rawDataEndVa : rawEnd + imageBase,
                    indexVa != null ? indexVa : index + imageBase,
                    callbacksVa != null ? callbacksVa : callbacks + imageBase};
            for (int i = 0; i < fields.length; i++) {
                if (pe32Plus) {
                    c.patchU64(dir + 8L * i, fields[i]);
                } else {
                    c.patchU32(dir + 4L * i, fields[i]);
                }
            }
            c.patchU32(dir + (pe32Plus ? 32 : 16), 0x40);   // SizeOfZeroFill
            byte[] data = c.toByteArray();
            return (pe32Plus ? TestImages.pe32Plus() : TestImages.pe32())
                    .section(".text", 0x1000, new byte[0x100], 0, TestImages.CODE)
                    .section(".tls", TLS, data, Math.max(sectionVirtualSize, data.length), TestImages.DATA)
                    .directory(DirectoryKind.TLS, dir, pe32Plus ? 40 : 24)
                    .build();
        }
    }

    @Test
    void readsA64BitDirectoryWithItsCallbacksAsRvas() throws Exception {
        TlsDirectory tls = read(new Tls(true).callbacks(0x1000, 0x1010).build()).tls().orElseThrow();

        assertEquals(0x3030, tls.rawDataStartRva(), "after the 40-byte directory, the index and padding");
        assertEquals(8, tls.rawDataSize());
        assertEquals(0x3028, tls.indexRva());
        assertEquals(0x3038, tls.callbacksRva());
        assertEquals(0x40, tls.sizeOfZeroFill());
        assertEquals(List.of(0x1000L, 0x1010L), tls.callbackRvas());
    }

    @Test
    void readsA32BitDirectory() throws Exception {
        TlsDirectory tls = read(new Tls(false).callbacks(0x1020).build()).tls().orElseThrow();

        assertEquals(0x3018, tls.indexRva(), "after the 24-byte directory");
        assertEquals(List.of(0x1020L), tls.callbackRvas());
    }

    @Test
    void directoryWithoutCallbackArrayHasNoCallbacks() throws Exception {
        TlsDirectory tls = read(new Tls(true).callbacksVa(0).build()).tls().orElseThrow();

        assertEquals(0, tls.callbacksRva());
        assertEquals(List.of(), tls.callbackRvas());
    }

    @Test
    void imageWithoutTlsDirectoryHasNone() throws Exception {
        byte[] image = TestImages.pe32().section(".text", 0x1000, new byte[16], 0, TestImages.CODE).build();

        assertTrue(read(image).tls().isEmpty());
    }

    @Test
    void callbackArrayEndsInTheSectionsZeroFill() throws Exception {
        TlsDirectory tls = read(new Tls(true).callbacks(0x1000).callbacksEndInZeroFill().build()).tls().orElseThrow();

        assertEquals(List.of(0x1000L), tls.callbackRvas());
    }

    @Test
    void callbacksOutsideTheImageAreLeftOutWithAWarning() throws Exception {
        PeImage pe = read(new Tls(false).callbackVas(0x77001000L, TestImages.DEFAULT_IMAGE_BASE_32 + 0x1000).build());

        assertEquals(List.of(0x1000L), pe.tls().orElseThrow().callbackRvas());
        assertTrue(pe.warnings().stream().anyMatch(w -> w.contains("0x77001000")), pe.warnings().toString());
    }

    @Test
    void rejectsCallbackArrayWithoutZeroEntry() {
        long[] many = new long[Limits.MAX_TLS_CALLBACKS + 1];
        java.util.Arrays.fill(many, 0x1000);

        PeFormatException e = assertRejected(new Tls(true).callbacks(many).build(), "tls_directory", "va_callbacks");
        assertTrue(e.expected().contains("MAX_TLS_CALLBACKS"), e.getMessage());
    }

    @Test
    void rejectsRawDataEndingBeforeItStarts() {
        assertRejected(new Tls(true).rawDataEndVa(TestImages.DEFAULT_IMAGE_BASE_64 + 0x3000).build(),
                "tls_directory", "va_raw_data_end");
    }

    @Test
    void rejectsIndexOutsideTheImage() {
        assertRejected(new Tls(false).indexVa(0x100).build(), "tls_directory", "va_index");
    }

    @Test
    void rejectsCallbackArrayBetweenSections() {
        assertRejected(new Tls(true).callbacksVa(TestImages.DEFAULT_IMAGE_BASE_64 + 0x2000).build(),
                "tls_directory", "va_callbacks");
    }

    @Test
    void rejectsDirectoryOutsideSections() {
        byte[] image = TestImages.pe32Plus().section(".text", 0x1000, new byte[16], 0, TestImages.CODE)
                .directory(DirectoryKind.TLS, 0x5000, 40).build();

        assertRejected(image, "data_directory[tls]", "rva");
    }
}
