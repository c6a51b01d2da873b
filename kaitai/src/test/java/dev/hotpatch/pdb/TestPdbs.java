package dev.hotpatch.pdb;

import dev.hotpatch.pe.PeFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Builds small PDBs from a description, for tests: an MSF 7.0 container around given streams, and the info, DBI,
 * TPI, module, symbol record and section header streams with the records a test names.
 *
 * <pre>{@code
 * byte[] pdb = new TestPdbs.Pdb()
 *         .module("a.obj", TestPdbs.symbols(TestPdbs.gproc32("f", 1, 0x10, 8)))
 *         .section(0x1000)
 *         .build();
 * }</pre>
 *
 * Fields are written at the offsets the format fixes; that is the point of a test builder.
 */
final class TestPdbs {
    private TestPdbs() {}

    static final byte[] GUID = {(byte) 0xaf, (byte) 0xf7, 0x53, (byte) 0xf9, (byte) 0x99, (byte) 0x89, 0x4e,
            (byte) 0xb7, 0x4c, 0x4c, 0x44, 0x20, 0x50, 0x44, 0x42, 0x2e};
    static final String GUID_TEXT = "{f953f7af-8999-b74e-4c4c-44205044422e}";

    static PdbFile read(byte[] pdb) throws PeFormatException {
        return PdbReader.read(pdb, "test.pdb");
    }

    /** Asserts that reading fails naming {@code structure.field}, and returns the error. */
    static PeFormatException assertRejected(byte[] pdb, String structure, String field) {
        PeFormatException e = assertThrows(PeFormatException.class, () -> read(pdb));
        assertEquals(structure + "." + field, e.structure() + "." + e.field(), e.getMessage());
        return e;
    }

    /** Little-endian bytes. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(long v) { out.write((int) v); return this; }

        Bytes u16(long v) { return u8(v).u8(v >> 8); }

        Bytes u32(long v) { return u16(v).u16(v >> 16); }

        Bytes u64(long v) { return u32(v).u32(v >> 32); }

        Bytes bytes(byte[] b) { out.writeBytes(b); return this; }

        Bytes strz(String s) { return bytes((s + "\0").getBytes(StandardCharsets.UTF_8)); }

        Bytes zeros(int n) { return bytes(new byte[n]); }

        Bytes align4() {
            while (out.size() % 4 != 0) {
                out.write(0);
            }
            return this;
        }

        int size() { return out.size(); }

        byte[] toArray() { return out.toByteArray(); }
    }

    // ---- CodeView records ----

    /** A record: length, kind, body, padded to 4 bytes (the length covers the padding). */
    static byte[] record(int kind, byte[] body) {
        int len = 2 + body.length;
        int padded = (len + 2 + 3) / 4 * 4 - 2;
        return new Bytes().u16(padded).u16(kind).bytes(body).zeros(padded - len).toArray();
    }

    static byte[] concat(byte[]... parts) {
        Bytes b = new Bytes();
        for (byte[] p : parts) {
            b.bytes(p);
        }
        return b.toArray();
    }

    static byte[] proc32(int kind, String name, int segment, long offset, long length) {
        return record(kind, new Bytes().u32(0).u32(0).u32(0).u32(length).u32(0).u32(0).u32(0x1001).u32(offset)
                .u16(segment).u8(0).strz(name).toArray());
    }

    static byte[] gproc32(String name, int segment, long offset, long length) {
        return proc32(0x1110, name, segment, offset, length);
    }

    static byte[] data32(int kind, String name, long typeIndex, int segment, long offset) {
        return record(kind, new Bytes().u32(typeIndex).u32(offset).u16(segment).strz(name).toArray());
    }

    static byte[] gdata32(String name, long typeIndex, int segment, long offset) {
        return data32(0x110d, name, typeIndex, segment, offset);
    }

    static byte[] pub32(String name, boolean function, int segment, long offset) {
        return record(0x110e, new Bytes().u32(function ? 2 : 0).u32(offset).u16(segment).strz(name).toArray());
    }

    static byte[] end() {
        return record(0x0006, new byte[0]);   // S_END
    }

    /** A module symbol stream: the C13 signature, then the records. */
    static byte[] symbols(byte[]... records) {
        return concat(new Bytes().u32(4).toArray(), concat(records));
    }

    // ---- type records ----

    static byte[] numeric(long value) {
        if (value < 0x8000) {
            return new Bytes().u16(value).toArray();
        }
        return new Bytes().u16(0x8004).u32(value).toArray();   // LF_ULONG
    }

    static final int FORWARD_REF = 0x80;
    static final int HAS_UNIQUE_NAME = 0x200;

    static byte[] lfStructure(int properties, byte[] size, String name, String uniqueName) {
        Bytes b = new Bytes().u16(0).u16(properties).u32(0).u32(0).u32(0).bytes(size).strz(name);
        if ((properties & HAS_UNIQUE_NAME) != 0) {
            b.strz(uniqueName);
        }
        return record(0x1505, b.toArray());
    }

    static byte[] lfUnion(int properties, byte[] size, String name, String uniqueName) {
        Bytes b = new Bytes().u16(0).u16(properties).u32(0).bytes(size).strz(name);
        if ((properties & HAS_UNIQUE_NAME) != 0) {
            b.strz(uniqueName);
        }
        return record(0x1506, b.toArray());
    }

    static byte[] lfArray(long elementType, byte[] size) {
        return record(0x1503, new Bytes().u32(elementType).u32(0x23).bytes(size).strz("").toArray());
    }

    static byte[] lfPointer(long referent, int sizeBytes) {
        return record(0x1002, new Bytes().u32(referent).u32(0xc | (long) sizeBytes << 13).toArray());
    }

    static byte[] lfModifier(long modified) {
        return record(0x1001, new Bytes().u32(modified).u16(1).align4().toArray());
    }

    static byte[] lfEnum(long underlying, String name) {
        return record(0x1507, new Bytes().u16(2).u16(0).u32(underlying).u32(0).strz(name).toArray());
    }

    static byte[] lfArglist() {
        return record(0x1201, new Bytes().u32(0).toArray());
    }

    /** A TPI stream: the 56-byte header, then the records with indices from 0x1000. */
    static byte[] tpi(byte[]... records) {
        byte[] body = concat(records);
        return new Bytes().u32(20040203).u32(56).u32(0x1000).u32(0x1000 + records.length).u32(body.length)
                .u16(0xffff).u16(0xffff).u32(4).u32(0x3ffff).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0)
                .bytes(body).toArray();
    }

    // ---- the other streams ----

    static byte[] info(byte[] guid, long age, long signature) {
        return new Bytes().u32(20000404).u32(signature).u32(age).bytes(guid).toArray();
    }

    static byte[] sectionHeaders(long... rvas) {
        Bytes b = new Bytes();
        for (int i = 0; i < rvas.length; i++) {
            b.bytes(Arrays.copyOf((".s" + i).getBytes(StandardCharsets.US_ASCII), 8));
            b.u32(0x100).u32(rvas[i]).u32(0x200).u32(0x400).u32(0).u32(0).u16(0).u16(0).u32(0x40000040L);
        }
        return b.toArray();
    }

    /** One DBI module info entry. */
    static byte[] moduleInfo(String name, String object, int stream, long lenSymbols) {
        return new Bytes().u32(0).zeros(28).u16(0).u16(stream).u32(lenSymbols).u32(0).u32(0).u16(0).u16(0)
                .u32(0).u32(0).u32(0).strz(name).strz(object).align4().toArray();
    }

    /** A DBI stream: the header, the module infos, and an optional debug header naming the section headers. */
    static byte[] dbi(long age, int symbolRecordStream, byte[] moduleInfos, int sectionHeaderStream) {
        Bytes debug = new Bytes();
        for (int i = 0; i < 11; i++) {
            debug.u16(i == 5 ? sectionHeaderStream : 0xffff);
        }
        return new Bytes().u32(0xffffffffL).u32(19990903).u32(age).u16(0xffff).u16(0x8e0b).u16(0xffff).u16(0)
                .u16(symbolRecordStream).u16(0).u32(moduleInfos.length).u32(0).u32(0).u32(0).u32(0).u32(0)
                .u32(debug.size()).u32(0).u16(0).u16(0xaa64).u32(0)
                .bytes(moduleInfos).bytes(debug.toArray()).toArray();
    }

    /**
     * A PDB from a description: modules (each with its symbol stream), symbol record stream, TPI records and
     * section RVAs; streams 0-3 are the old directory, info, TPI and DBI.
     */
    static final class Pdb {
        private final List<String> moduleNames = new ArrayList<>();
        private final List<byte[]> moduleStreams = new ArrayList<>();
        private byte[] symbolRecords = new byte[0];
        private byte[][] types = new byte[0][];
        private long[] sections = {0x1000, 0x2000, 0x3000};
        private boolean withSections = true;
        private long age = 1;
        private int blockSize = 512;

        Pdb module(String name, byte[] symbolStream) {
            moduleNames.add(name);
            moduleStreams.add(symbolStream);
            return this;
        }

        Pdb symbolRecords(byte[]... records) { symbolRecords = concat(records); return this; }

        Pdb types(byte[]... records) { types = records; return this; }

        Pdb sections(long... rvas) { sections = rvas; return this; }

        Pdb noSectionHeaders() { withSections = false; return this; }

        Pdb age(long a) { age = a; return this; }

        Pdb blockSize(int size) { blockSize = size; return this; }

        /** The streams, in index order. */
        List<byte[]> streams() {
            List<byte[]> streams = new ArrayList<>();
            streams.add(new byte[0]);
            streams.add(info(GUID, age, 0x12345678));
            streams.add(tpi(types));
            streams.add(null);   // the DBI, once the other indices are known
            int symbolStream = streams.size();
            streams.add(symbolRecords);
            int sectionStream = withSections ? streams.size() : 0xffff;
            if (withSections) {
                streams.add(sectionHeaders(sections));
            }
            Bytes infos = new Bytes();
            for (int i = 0; i < moduleNames.size(); i++) {
                infos.bytes(moduleInfo(moduleNames.get(i), moduleNames.get(i), streams.size(),
                        moduleStreams.get(i).length));
                streams.add(moduleStreams.get(i));
            }
            streams.set(3, dbi(age, symbolStream, infos.toArray(), sectionStream));
            return streams;
        }

        byte[] build() {
            return msf(blockSize, streams());
        }
    }

    /**
     * An MSF 7.0 file: superblock in block 0, free block maps in blocks 1 and 2, the streams' blocks in reverse
     * order (so that every multi-block stream is scattered, as in real files), the directory, and last the block
     * map block that lists the directory's blocks.
     */
    static byte[] msf(int blockSize, List<byte[]> streams) {
        int streamBlocks = 0;
        for (byte[] s : streams) {
            streamBlocks += (s.length + blockSize - 1) / blockSize;
        }
        List<byte[]> blocks = new ArrayList<>();
        blocks.add(null);
        blocks.add(new byte[blockSize]);
        blocks.add(new byte[blockSize]);
        for (int i = 0; i < streamBlocks; i++) {
            blocks.add(null);
        }
        int next = 3 + streamBlocks;   // stream blocks are handed out from the last one down
        Bytes dir = new Bytes().u32(streams.size());
        for (byte[] s : streams) {
            dir.u32(s.length);
        }
        for (byte[] s : streams) {
            for (int off = 0; off < s.length; off += blockSize) {
                next--;
                dir.u32(next);
                blocks.set(next, Arrays.copyOfRange(s, off, off + blockSize));
            }
        }
        byte[] directory = dir.toArray();
        Bytes map = new Bytes();
        for (int off = 0; off < directory.length; off += blockSize) {
            map.u32(blocks.size());
            blocks.add(Arrays.copyOfRange(directory, off, off + blockSize));
        }
        int mapBlock = blocks.size();
        blocks.add(Arrays.copyOf(map.toArray(), blockSize));
        Bytes sb = new Bytes().bytes("Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0".getBytes(StandardCharsets.ISO_8859_1))
                .u32(blockSize).u32(1).u32(blocks.size()).u32(directory.length).u32(0).u32(mapBlock);
        blocks.set(0, Arrays.copyOf(sb.toArray(), blockSize));
        Bytes out = new Bytes();
        for (byte[] b : blocks) {
            out.bytes(b);
        }
        return out.toArray();
    }
}
