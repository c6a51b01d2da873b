package dev.hotpatch.cli;

/** The sequence numbers a patch header can hold (docs/format.md 2.1), checked before any work. */
final class Sequences {
    private Sequences() {}

    private static final long MAX = 0xFFFF_FFFFL;

    static void check(long sequence, long minSequence) throws Errors.UsageException {
        if (sequence < 1 || sequence > MAX) {
            throw new Errors.UsageException("--sequence " + sequence + " is out of range; give 1 to " + MAX);
        }
        if (minSequence < 0 || minSequence > sequence) {
            throw new Errors.UsageException("--min-sequence " + minSequence + " must be from 0 to --sequence ("
                    + sequence + ")");
        }
    }

    /** A minimum to require of a patch (verify, apply): 0 to {@value #MAX}. */
    static void checkMinimum(long minSequence) throws Errors.UsageException {
        if (minSequence < 0 || minSequence > MAX) {
            throw new Errors.UsageException("--min-sequence " + minSequence + " is out of range; give 0 to " + MAX);
        }
    }
}
