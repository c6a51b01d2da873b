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
}
