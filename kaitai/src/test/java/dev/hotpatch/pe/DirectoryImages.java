package dev.hotpatch.pe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Builds minimal PE32 / PE32+ images for the exception, load-config, debug and certificate directory tests:
 * headers, sections holding bytes a test lays out with {@link Bytes}, data directory entries, and bytes
 * appended after the last section (where a certificate table goes). Headers are written at the offsets the PE
 * format fixes; that is the point of a test builder.
 */
final class DirectoryImages {
    static final int AMD64 = 0x8664;
    static final int I386 = 0x14c;
    static final int ARM64 = 0xaa64;
    static final long CODE = 0x60000020L;
    static final long READ_ONLY = 0x40000040L;
    private static final int HEADERS = 0x400;
    private static final int FILE_ALIGNMENT = 0x200;

    private DirectoryImages() {}

    static Builder pe32Plus(int machine) {
        return new Builder(true, machine);
    }

    static Builder pe32() {
        return new Builder(false, I386);
    }

    static PeImage read(byte[] image) throws PeFormatException {
        return PeReader.read(image, "test.bin");
    }

    /** Asserts that reading fails naming {@code structure.field}, and returns the error. */
    static PeFormatException rejected(byte[] image, String structure, String field) {
        PeFormatException e = assertThrows(PeFormatException.class, () -> read(image));
        assertEquals(structure + "." + field, e.structure() + "." + e.field(), e.getMessage());
        return e;
    }

    /** Little-endian bytes written from the start of a section at {@code rva}; writers return the RVA written. */
    static final class Bytes {
        final long rva;
        private ByteBuffer buf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

        Bytes(long rva) {
            this.rva = rva;
        }

        long here() {
            return rva + buf.position();
        }

        private ByteBuffer room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return buf;
        }

        long u8(int v) {
            long at = here();
            room(1).put((byte) v);
            return at;
        }

        long u16(int v) {
            long at = here();
            room(2).putShort((short) v);
            return at;
        }

        long u32(long v) {
            long at = here();
            room(4).putInt((int) v);
            return at;
        }

        long u64(long v) {
            long at = here();
            room(8).putLong(v);
            return at;
        }

        /** Several 32-bit values in a row; returns the RVA of the first. */
        long words(long... values) {
            long at = here();
            for (long v : values) {
                u32(v);
            }
            return at;
        }

        long bytes(byte... b) {
            long at = here();
            room(b.length).put(b);
            return at;
        }

        long zeros(int n) {
            return bytes(new byte[n]);
        }

        Bytes align(int n) {
            while (buf.position() % n != 0) {
                u8(0);
            }
            return this;
        }

        /** Overwrites a 32-bit value written earlier at {@code at}. */
        void patchU32(long at, long v) {
            buf.putInt((int) (at - rva), (int) v);
        }

        byte[] toArray() {
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    private record SectionSpec(String name, long rva, byte[] data, long virtualSize, long characteristics) {}

    static final class Builder {
        private final boolean pe32Plus;
        private final int machine;
        private final List<SectionSpec> sections = new ArrayList<>();
        private final long[][] directories = new long[16][2];
        private byte[] trailer = new byte[0];
        private long sizeOfImage = -1;

        private Builder(boolean pe32Plus, int machine) {
            this.pe32Plus = pe32Plus;
            this.machine = machine;
        }

        long imageBase() {
            return pe32Plus ? 0x140000000L : 0x400000L;
        }

        Builder section(String name, Bytes bytes, long characteristics) {
            return section(name, bytes.rva, bytes.toArray(), 0, characteristics);
        }

        /** A section whose virtual size (0 = its raw size) may be larger than its bytes. */
        Builder section(String name, long rva, byte[] data, long virtualSize, long characteristics) {
            sections.add(new SectionSpec(name, rva, data, virtualSize, characteristics));
            return this;
        }

        Builder directory(DirectoryKind kind, long address, long size) {
            directories[kind.ordinal()][0] = address;
            directories[kind.ordinal()][1] = size;
            return this;
        }

        /** Bytes after the last section; they start at {@link #trailerOffset()}. */
        Builder trailer(byte[] bytes) {
            trailer = bytes.clone();
            return this;
        }

        Builder sizeOfImage(long size) {
            sizeOfImage = size;
            return this;
        }

        /** File offset of the first trailer byte. */
        long trailerOffset() {
            long at = HEADERS;
            for (SectionSpec s : sections) {
                at += align(s.data().length);
            }
            return at;
        }

        byte[] build() {
            ByteBuffer out = ByteBuffer.allocate((int) trailerOffset() + trailer.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putShort(0, (short) 0x5a4d);
            out.putInt(0x3c, 0x40);
            out.position(0x40);
            out.putInt(0x4550);
            int optionalSize = pe32Plus ? 0xf0 : 0xe0;
            out.putShort((short) machine).putShort((short) sections.size()).putInt(0x5f000000).putInt(0).putInt(0)
                    .putShort((short) optionalSize).putShort((short) 0x22);
            out.putShort((short) (pe32Plus ? 0x20b : 0x10b)).put((byte) 14).put((byte) 0);
            out.putInt(0).putInt(0).putInt(0).putInt(0x1000).putInt(0x1000);
            if (!pe32Plus) {
                out.putInt(0);
                out.putInt((int) imageBase());
            } else {
                out.putLong(imageBase());
            }
            long end = 0x1000;
            for (SectionSpec s : sections) {
                end = Math.max(end, s.rva() + Math.max(s.virtualSize(), s.data().length));
            }
            long image = sizeOfImage >= 0 ? sizeOfImage : (end + 0xfff) & ~0xfffL;
            out.putInt(0x1000).putInt(FILE_ALIGNMENT).putShort((short) 6).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 6).putShort((short) 0).putInt(0).putInt((int) image)
                    .putInt(HEADERS).putInt(0).putShort((short) 3).putShort((short) 0x140);
            for (int i = 0; i < 4; i++) {
                if (pe32Plus) {
                    out.putLong(0x100000);
                } else {
                    out.putInt(0x100000);
                }
            }
            out.putInt(0).putInt(16);
            for (long[] d : directories) {
                out.putInt((int) d[0]).putInt((int) d[1]);
            }
            long raw = HEADERS;
            for (SectionSpec s : sections) {
                byte[] name = Arrays.copyOf(s.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 8);
                out.put(name).putInt((int) (s.virtualSize() != 0 ? s.virtualSize() : s.data().length))
                        .putInt((int) s.rva()).putInt(align(s.data().length)).putInt((int) raw).putInt(0).putInt(0)
                        .putShort((short) 0).putShort((short) 0).putInt((int) s.characteristics());
                out.put((int) raw, s.data());
                raw += align(s.data().length);
            }
            out.put((int) raw, trailer);
            return out.array();
        }

        private static int align(int n) {
            return (n + FILE_ALIGNMENT - 1) / FILE_ALIGNMENT * FILE_ALIGNMENT;
        }
    }
}
