package dev.hotpatch.differ.normalise;

import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A minimal ARM64 PE32+ image with one code section at RVA 0x1000 holding the given 32-bit instruction words
 * and one writable data section at 0x2000: enough for the differ's code view, discovery and normaliser. Header
 * fields sit at the offsets the PE format fixes (the same layout as the kaitai module's test images).
 */
final class Arm64Images {
    static final long TEXT = 0x1000;
    static final long DATA = 0x2000;
    private static final int HEADERS = 0x400;
    private static final int FILE_ALIGNMENT = 0x200;

    private Arm64Images() {}

    static PeImage of(int... words) throws Exception {
        byte[] text = new byte[align(words.length * 4)];
        ByteBuffer code = ByteBuffer.wrap(text).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            code.putInt(w);
        }
        byte[] data = new byte[FILE_ALIGNMENT];
        ByteBuffer out = ByteBuffer.allocate(HEADERS + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort(0, (short) 0x5a4d);
        out.putInt(0x3c, 0x40);
        out.position(0x40);
        out.putInt(0x4550);
        out.putShort((short) 0xaa64).putShort((short) 2).putInt(0x5f000000).putInt(0).putInt(0)
                .putShort((short) 0xf0).putShort((short) 0x22);
        out.putShort((short) 0x20b).put((byte) 14).put((byte) 0);
        out.putInt(text.length).putInt(data.length).putInt(0).putInt((int) TEXT).putInt((int) TEXT);
        out.putLong(0x140000000L);
        out.putInt(0x1000).putInt(FILE_ALIGNMENT).putShort((short) 6).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 6).putShort((short) 0).putInt(0).putInt(0x3000)
                .putInt(HEADERS).putInt(0).putShort((short) 3).putShort((short) 0x140);
        for (int i = 0; i < 4; i++) {
            out.putLong(0x100000);
        }
        out.putInt(0).putInt(16);
        for (int i = 0; i < 16; i++) {
            out.putInt(0).putInt(0);
        }
        section(out, ".text", TEXT, words.length * 4, text.length, HEADERS, 0x60000020L);
        section(out, ".data", DATA, data.length, data.length, HEADERS + text.length, 0xc0000040L);
        out.put(HEADERS, text);
        return PeReader.read(out.array(), "arm64-test.dll");
    }

    private static void section(ByteBuffer out, String name, long rva, int virtualSize, int rawSize, int rawOffset,
                                long characteristics) {
        out.put(java.util.Arrays.copyOf(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 8))
                .putInt(virtualSize).putInt((int) rva).putInt(rawSize).putInt(rawOffset).putInt(0).putInt(0)
                .putShort((short) 0).putShort((short) 0).putInt((int) characteristics);
    }

    private static int align(int n) {
        return Math.max(FILE_ALIGNMENT, (n + FILE_ALIGNMENT - 1) / FILE_ALIGNMENT * FILE_ALIGNMENT);
    }

    /** ADRP Xd, page of (the instruction's page + {@code pages} pages). */
    static int adrp(int rd, int pages) {
        return 0x90000000 | (pages & 3) << 29 | (pages >> 2 & 0x7ffff) << 5 | rd;
    }

    /** LDP Xt1, Xt2, [Xn] (64-bit, signed offset 0): not an access ADRP pairs complete. */
    static int ldp(int rt1, int rt2, int rn) {
        return 0xa9400000 | rt2 << 10 | rn << 5 | rt1;
    }

    /** ADD Xd, Xn, #imm12: completes an ADRP of Xn. */
    static int addImm(int rd, int rn, int imm) {
        return 0x91000000 | (imm & 0xfff) << 10 | rn << 5 | rd;
    }

    /** MOVZ Xd, #imm16: overwrites Xd. */
    static int movz(int rd, int imm) {
        return 0xd2800000 | (imm & 0xffff) << 5 | rd;
    }

    static final int RET = 0xd65f03c0;
}
