package dev.hotpatch.packager.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One section while an image is being built: where it sits (fixed when it is reserved), how much memory it
 * takes, and its initialised bytes so far. Bytes past the initialised part read as zeros in memory and take no
 * room in the file.
 */
final class ImageSection {
    final String name;
    final byte[] nameBytes;
    final long rva;
    final long virtualSize;
    final long characteristics;
    private byte[] data = new byte[0];
    private int initialized;

    ImageSection(String name, long rva, long virtualSize, long characteristics) {
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.rva = rva;
        this.virtualSize = virtualSize;
        this.characteristics = characteristics;
    }

    boolean contains(long someRva, long size) {
        return someRva >= rva && size >= 0 && someRva - rva + size <= virtualSize;
    }

    /** True when [someRva, someRva + size) lies in the initialised (file-backed) part. */
    boolean initializedCovers(long someRva, long size) {
        return someRva >= rva && size >= 0 && someRva - rva + size <= initialized;
    }

    /** Copies bytes to {@code offset} from the section start; the initialised part grows to cover them. */
    void write(long offset, byte[] bytes) {
        if (offset < 0 || offset + bytes.length > virtualSize) {
            throw new IllegalArgumentException(String.format(
                    "%d bytes at RVA 0x%x do not fit in section %s (RVA 0x%x, 0x%x bytes reserved)",
                    bytes.length, rva + offset, name, rva, virtualSize));
        }
        int end = Math.toIntExact(offset + bytes.length);
        if (end > data.length) {
            long grown = Math.max(end, Math.min(virtualSize, 2L * data.length + 64));
            data = Arrays.copyOf(data, Math.toIntExact(grown));
        }
        System.arraycopy(bytes, 0, data, (int) offset, bytes.length);
        initialized = Math.max(initialized, end);
    }

    int initializedSize() {
        return initialized;
    }

    /** The initialised bytes, in a fresh array. */
    byte[] initializedBytes() {
        return Arrays.copyOf(data, initialized);
    }

    long end() {
        return rva + virtualSize;
    }
}
