package dev.hotpatch.packager.image;

import dev.hotpatch.pe.BaseRelocationType;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.SortedMap;

/**
 * Encodes base relocation sites as the {@code .reloc} section holds them: one IMAGE_BASE_RELOCATION block per
 * 4 KB page, pages and sites in ascending order, each entry {@code type << 12 | offset in page}, and an ABSOLUTE
 * entry padding a block with an odd entry count so that every block is a multiple of 4 bytes.
 */
public final class BaseRelocationTable {
    private static final long PAGE = 0x1000;
    private static final int BLOCK_HEADER = 8;

    private BaseRelocationTable() {}

    /** The blocks for {@code sites} (RVA to type, ascending); empty for no sites. */
    public static byte[] encode(SortedMap<Long, BaseRelocationType> sites) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long page = -1;
        short[] entries = new short[(int) Math.min(sites.size() + 1, PAGE / 2 + 1)];
        int count = 0;
        for (Map.Entry<Long, BaseRelocationType> site : sites.entrySet()) {
            long rva = site.getKey();
            long sitePage = rva & ~(PAGE - 1);
            if (sitePage != page) {
                writeBlock(out, page, entries, count);
                page = sitePage;
                count = 0;
            }
            entries[count++] = (short) (site.getValue().code() << 12 | (int) (rva - sitePage));
        }
        writeBlock(out, page, entries, count);
        return out.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream out, long page, short[] entries, int count) {
        if (count == 0) {
            return;
        }
        int padded = count + (count & 1);   // an ABSOLUTE (0) entry keeps the block 4-byte sized
        int blockSize = BLOCK_HEADER + 2 * padded;
        LittleEndian.writeInt(out, (int) page);        // VirtualAddress
        LittleEndian.writeInt(out, blockSize);         // SizeOfBlock
        for (int i = 0; i < padded; i++) {
            LittleEndian.writeShort(out, i < count ? entries[i] : 0);
        }
    }
}
