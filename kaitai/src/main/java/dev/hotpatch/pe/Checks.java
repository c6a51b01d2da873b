package dev.hotpatch.pe;

import java.util.function.LongSupplier;

import static dev.hotpatch.pe.KaitaiParse.hex;

/** Checks of counts and sizes read from a file against the named limits in {@link Limits}. */
final class Checks {
    private Checks() {}

    /** Throws unless {@code 0 <= actual <= limit}; {@code limitName} names the constant, such as MAX_EXPORTS. */
    static void atMost(long actual, long limit, String limitName, String structure, String field, long fieldOffset)
            throws PeFormatException {
        if (actual < 0 || actual > limit) {
            throw tooMany(actual, limit, limitName, structure, field, fieldOffset);
        }
    }

    /**
     * Like {@link #atMost(long, long, String, String, String, long)}, finding the field's offset only when it
     * throws (for offsets found by parsing again, such as a data directory entry's).
     */
    static void atMost(long actual, long limit, String limitName, String structure, String field,
                       LongSupplier fieldOffset) throws PeFormatException {
        if (actual < 0 || actual > limit) {
            throw tooMany(actual, limit, limitName, structure, field, fieldOffset.getAsLong());
        }
    }

    private static PeFormatException tooMany(long actual, long limit, String limitName, String structure,
                                             String field, long fieldOffset) {
        return new PeFormatException(structure, field, fieldOffset,
                "at most " + limit + " (Limits." + limitName + ")", actual + " (" + hex(actual) + ")");
    }
}
