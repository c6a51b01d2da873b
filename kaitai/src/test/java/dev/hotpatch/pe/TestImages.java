package dev.hotpatch.pe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Builds minimal PE32 and PE32+ images from a description, for tests: the headers, a few sections whose
 * contents a test writes with {@link Content}, data directory entries, and optionally a COFF symbol table
 * and string table after the sections.
 *
 * <pre>{@code
 * TestImages.Content rdata = new TestImages.Content(0x2000);
 * long name = rdata.cString("kernel32.dll");
 * byte[] image = TestImages.pe32Plus()
 *         .section(".rdata", rdata)
 *         .directory(DirectoryKind.IMPORT, descriptorRva, 40)
 *         .build();
 * }</pre>
 *
 * Headers are written at the offsets the PE format fixes; that is the point of a test builder.
 */
final class TestImages {
    static final long DEFAULT_IMAGE_BASE_32 = 0x400000L;
    static final long DEFAULT_IMAGE_BASE_64 = 0x140000000L;
    static final int FILE_ALIGNMENT = 0x200;
    static final int SECTION_ALIGNMENT = 0x1000;
    static final long CODE = 0x60000020L;          // CNT_CODE | MEM_EXECUTE | MEM_READ
    static final long DATA = 0xC0000040L;          // CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE
    static final long READ_ONLY = 0x40000040L;     // CNT_INITIALIZED_DATA | MEM_READ

    private TestImages() {}

    /** Reads an image built by a test. */
    static PeImage read(byte[] image) throws PeFormatException {
        return PeReader.read(image, "test.bin");
    }

    /** Asserts that reading the image fails naming {@code structure.field}, and returns the error. */
    static PeFormatException assertRejected(byte[] image, String structure, String field) {
        PeFormatException e = org.junit.jupiter.api.Assertions.assertThrows(PeFormatException.class,
                () -> read(image));
        org.junit.jupiter.api.Assertions.assertEquals(structure + "." + field, e.structure() + "." + e.field(),
                e.getMessage());
        return e;
    }

    static Builder pe32() {
        return new Builder(false);
    }

    static Builder pe32Plus() {
        return new Builder(true);
    }

    /** Little-endian bytes laid out at an RVA: what a test writes into a section. Methods return RVAs. */
    static final class Content {
        private final long baseRva;
        private byte[] bytes = new byte[256];
        private int size;

        Content(long baseRva) {
            this.baseRva = baseRva;
        }

        long baseRva() {
            return baseRva;
        }

        /** The RVA the next byte goes to. */
        long here() {
            return baseRva + size;
        }

        long u8(int v) {
            return bytes(new byte[] {(byte) v});
        }

        long u16(int v) {
            return bytes(le(2).putShort((short) v).array());
        }

        long u32(long v) {
            return bytes(le(4).putInt((int) v).array());
        }

        long u64(long v) {
            return bytes(le(8).putLong(v).array());
        }

        /** A pointer-size value: u64 in PE32+ images, u32 in PE32 images. */
        long pointer(boolean pe32Plus, long v) {
            return pe32Plus ? u64(v) : u32(v);
        }

        long bytes(byte[] b) {
            long at = here();
            if (size + b.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + b.length));
            }
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return at;
        }

        long zeros(int n) {
            return bytes(new byte[n]);
        }

        /** A NUL-terminated ASCII string. */
        long cString(String s) {
            long at = ascii(s);
            u8(0);
            return at;
        }

        /** Bytes without a terminator. */
        long ascii(String s) {
            return bytes(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Fills with {@code b} up to the next multiple of {@code n} bytes (to end a section's raw data). */
        Content fill(int n, int b) {
            while (size % n != 0) {
                u8(b);
            }
            return this;
        }

        Content align(int n) {
            return fill(n, 0);
        }

        /** Overwrites 4 bytes at an RVA written before (to fill in a pointer once its target exists). */
        void patchU32(long rva, long v) {
            patch(rva, le(4).putInt((int) v).array());
        }

        void patchU16(long rva, int v) {
            patch(rva, le(2).putShort((short) v).array());
        }

        void patchU64(long rva, long v) {
            patch(rva, le(8).putLong(v).array());
        }

        private void patch(long rva, byte[] value) {
            System.arraycopy(value, 0, bytes, (int) (rva - baseRva), value.length);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        private static ByteBuffer le(int n) {
            return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    record SectionSpec(String name, long rva, byte[] data, long virtualSize, long characteristics) {}

    static final class Builder {
        private final boolean pe32Plus;
        private int machine;
        private long imageBase;
        private int characteristics = 0x0022;   // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
        private final List<SectionSpec> sections = new ArrayList<>();
        private final Map<DirectoryKind, long[]> directories = new EnumMap<>(DirectoryKind.class);
        private byte[] symbolRecords;
        private long numSymbols;
        private byte[] stringTable;
        private Long symbolTableOffset;
        private byte[] trailer = new byte[0];

        private Builder(boolean pe32Plus) {
            this.pe32Plus = pe32Plus;
            this.machine = pe32Plus ? 0x8664 : 0x14c;
            this.imageBase = pe32Plus ? DEFAULT_IMAGE_BASE_64 : DEFAULT_IMAGE_BASE_32;
        }

        Builder machine(int code) {
            this.machine = code;
            return this;
        }

        Builder imageBase(long base) {
            this.imageBase = base;
            return this;
        }

        Builder dll() {
            this.characteristics |= 0x2000;
            return this;
        }

        /** A read-only data section holding {@code content} at its base RVA. */
        Builder section(String name, Content content) {
            return section(name, content.baseRva(), content.toByteArray(), 0, READ_ONLY);
        }

        /** A section; a virtual size of 0 means the data's length (a larger one adds a zero-filled tail). */
        Builder section(String name, long rva, byte[] data, long virtualSize, long characteristics) {
            sections.add(new SectionSpec(name, rva, data, virtualSize == 0 ? data.length : virtualSize,
                    characteristics));
            return this;
        }

        Builder directory(DirectoryKind kind, long rva, long size) {
            directories.put(kind, new long[] {rva, size});
            return this;
        }

        /**
         * A COFF symbol table of {@code numSymbols} 18-byte records, followed by the string table (whose first
         * 4 bytes, its size, the test writes too, so that it can write a wrong one).
         */
        Builder symbols(byte[] records, long numSymbols, byte[] stringTable) {
            this.symbolRecords = records;
            this.numSymbols = numSymbols;
            this.stringTable = stringTable;
            return this;
        }

        /** Overrides PointerToSymbolTable (for example to point past the end of the file). */
        Builder symbolTableOffset(long offset) {
            this.symbolTableOffset = offset;
            return this;
        }

        /** Bytes appended at the very end of the file. */
        Builder trailer(byte[] bytes) {
            this.trailer = bytes;
            return this;
        }

        byte[] build() {
            int optionalSize = pe32Plus ? 240 : 224;
            int headersEnd = 0x40 + 24 + optionalSize + 40 * sections.size();
            int sizeOfHeaders = align(headersEnd, FILE_ALIGNMENT);
            long[] rawOffsets = new long[sections.size()];
            long fileEnd = sizeOfHeaders;
            long imageEnd = SECTION_ALIGNMENT;
            for (int i = 0; i < sections.size(); i++) {
                SectionSpec s = sections.get(i);
                rawOffsets[i] = fileEnd;
                fileEnd += align(s.data().length, FILE_ALIGNMENT);
                imageEnd = Math.max(imageEnd, align(s.rva() + s.virtualSize(), SECTION_ALIGNMENT));
            }
            long symbols = symbolRecords == null ? 0 : fileEnd;
            if (symbolRecords != null) {
                fileEnd += symbolRecords.length + stringTable.length;
            }
            ByteBuffer b = ByteBuffer.allocate((int) (fileEnd + trailer.length)).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(0, (short) 0x5a4d).putInt(0x3c, 0x40);
            int nt = 0x40;
            b.putInt(nt, 0x4550);
            int fh = nt + 4;
            b.putShort(fh, (short) machine).putShort(fh + 2, (short) sections.size()).putInt(fh + 4, 0x5f000000)
                    .putInt(fh + 8, (int) (symbolTableOffset != null ? symbolTableOffset : symbols))
                    .putInt(fh + 12, (int) numSymbols).putShort(fh + 16, (short) optionalSize)
                    .putShort(fh + 18, (short) characteristics);
            int oh = fh + 20;
            b.putShort(oh, (short) (pe32Plus ? 0x20b : 0x10b)).put(oh + 2, (byte) 14);
            b.putInt(oh + 16, sections.isEmpty() ? 0 : (int) sections.get(0).rva());   // AddressOfEntryPoint
            int windows;
            if (pe32Plus) {
                b.putLong(oh + 24, imageBase);
                windows = oh + 32;
            } else {
                b.putInt(oh + 28, (int) imageBase);
                windows = oh + 32;
            }
            b.putInt(windows, SECTION_ALIGNMENT).putInt(windows + 4, FILE_ALIGNMENT)
                    .putShort(windows + 8, (short) 6).putShort(windows + 16, (short) 6)
                    .putInt(windows + 24, (int) imageEnd).putInt(windows + 28, sizeOfHeaders)
                    .putShort(windows + 36, (short) 3).putShort(windows + 38, (short) 0x8160);
            int ptr = pe32Plus ? 8 : 4;
            int sizes = windows + 40;
            for (int i = 0; i < 4; i++) {
                if (pe32Plus) {
                    b.putLong(sizes + i * ptr, 0x100000);
                } else {
                    b.putInt(sizes + i * ptr, 0x100000);
                }
            }
            int loaderFlags = sizes + 4 * ptr;
            b.putInt(loaderFlags + 4, 16);
            int dirs = loaderFlags + 8;
            directories.forEach((kind, rs) -> b.putInt(dirs + kind.ordinal() * 8, (int) rs[0])
                    .putInt(dirs + kind.ordinal() * 8 + 4, (int) rs[1]));
            int table = oh + optionalSize;
            for (int i = 0; i < sections.size(); i++) {
                SectionSpec s = sections.get(i);
                int h = table + 40 * i;
                byte[] name = s.name().getBytes(StandardCharsets.US_ASCII);
                b.put(h, name, 0, Math.min(8, name.length));
                b.putInt(h + 8, (int) s.virtualSize()).putInt(h + 12, (int) s.rva())
                        .putInt(h + 16, align(s.data().length, FILE_ALIGNMENT)).putInt(h + 20, (int) rawOffsets[i])
                        .putInt(h + 36, (int) s.characteristics());
                b.put((int) rawOffsets[i], s.data());
            }
            if (symbolRecords != null) {
                b.put((int) symbols, symbolRecords);
                b.put((int) (symbols + symbolRecords.length), stringTable);
            }
            b.put((int) fileEnd, trailer);
            return b.array();
        }

        private static int align(long v, int a) {
            return (int) ((v + a - 1) / a * a);
        }
    }
}
