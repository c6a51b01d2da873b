package dev.hotpatch.differ.classify;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.normalise.Hasher;
import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.DirectoryKind;

/**
 * A hash of an image's resources that does not depend on where they sit: every leaf's path (type, name,
 * language as ids or strings) and its bytes. Walks at most four levels and 65,536 entries, reading every
 * field through bounds-checked image reads, so a hostile resource tree cannot make it loop or allocate.
 */
final class ResourceDigest {
    private static final int MAX_ENTRIES = 65_536;
    private static final int MAX_DEPTH = 4;
    private static final int MAX_LEAF = 64 << 20;

    private final ImageCode code;
    private final long base;
    private final long size;
    private final Hasher hasher = new Hasher().reset();
    private int entries;

    private ResourceDigest(ImageCode code, long base, long size) {
        this.code = code;
        this.base = base;
        this.size = size;
    }

    /** The digest, or 0 when the image has no resources. */
    static long of(ImageCode code) {
        DataDirectory d = code.image().directory(DirectoryKind.RESOURCE).orElse(null);
        if (d == null || !d.isPresent()) {
            return 0;
        }
        ResourceDigest digest = new ResourceDigest(code, d.address(), d.size());
        digest.walk(0, 0);
        return digest.hasher.add(digest.entries).value();
    }

    private long u16(long rva) {
        return code.readWord(rva, 4) & 0xffff;
    }

    private long u32(long rva) {
        return code.readWord(rva, 4) & 0xffffffffL;
    }

    private void walk(long offset, int depth) {
        if (depth >= MAX_DEPTH || offset + 16 > size) {
            return;
        }
        long dir = base + offset;
        int count = (int) (u16(dir + 12) + u16(dir + 14));
        for (int i = 0; i < count && entries < MAX_ENTRIES; i++, entries++) {
            long entry = dir + 16 + 8L * i;
            if (entry + 8 > base + size) {
                return;
            }
            long name = u32(entry);
            long target = u32(entry + 4);
            hasher.add(depth);
            if ((name & 0x80000000L) != 0) {
                long at = base + (name & 0x7fffffffL);
                int length = (int) Math.min(u16(at), 1024);
                for (int c = 0; c < length; c++) {
                    hasher.add(u16(at + 2 + 2L * c));
                }
            } else {
                hasher.add(name);
            }
            if ((target & 0x80000000L) != 0) {
                walk(target & 0x7fffffffL, depth + 1);
            } else if (target + 16 <= size) {
                long dataRva = u32(base + target);
                int dataSize = (int) Math.min(u32(base + target + 4), MAX_LEAF);
                hasher.add(dataSize);
                byte[] chunk = new byte[4096];
                for (int done = 0; done < dataSize; done += chunk.length) {
                    int n = Math.min(chunk.length, dataSize - done);
                    code.read(dataRva + done, n, chunk, 0);
                    hasher.add(chunk, 0, n);
                }
            }
        }
    }
}
