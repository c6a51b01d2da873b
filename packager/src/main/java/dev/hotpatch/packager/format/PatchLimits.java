package dev.hotpatch.packager.format;

/**
 * Named limits the reader checks counts against before it sizes anything by them. Every count is also bounded by
 * the bytes of the tables (a 64-byte function record, a 24-byte fixup record), so memory stays proportional to
 * the input whatever the header claims.
 */
public final class PatchLimits {
    private PatchLimits() {}

    /** Most function records: a patch replaces at most a few thousand functions; this is far above. */
    public static final long MAX_FUNCTIONS = 1 << 20;
    /** Most fixup records: an 80 MB image has a few million references in all its code. */
    public static final long MAX_FIXUPS = 1 << 24;

    /**
     * Largest SizeOfImage of a patch image: it carries only changed and new functions with their data, so 64 MB is
     * far above any real one, and applying one stays inside a small heap.
     */
    public static final long MAX_PATCH_SIZE_OF_IMAGE = 64L << 20;
    /** Most broken structural rules listed for one patch (verification reports every problem, up to this many). */
    public static final int MAX_REPORTED_PROBLEMS = 64;
}
