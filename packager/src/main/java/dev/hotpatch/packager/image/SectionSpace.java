package dev.hotpatch.packager.image;

/**
 * Plans the inside of one section before it is reserved: each {@link #allocate} returns the offset of the next
 * piece (aligned), and {@link #size()} is what to pass to {@link PeImageBuilder#reserve}. Offsets plus the
 * section's RVA give each piece's RVA.
 */
public final class SectionSpace {
    private long size;

    /** Returns the offset of a new piece of {@code length} bytes aligned to {@code alignment} (a power of two). */
    public long allocate(long length, int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        if (length < 0) {
            throw new IllegalArgumentException("a piece cannot be " + length + " bytes long");
        }
        long offset = LittleEndian.alignUp(size, alignment);
        if (offset + length > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("a section cannot hold more than 2 GB");
        }
        size = offset + length;
        return offset;
    }

    /** Bytes planned so far: the end of the last piece. */
    public long size() {
        return size;
    }
}
