package dev.hotpatch.pe;

import static dev.hotpatch.pe.KaitaiParse.hex;

/** Checks of counts and sizes read from a file against the named limits in {@link Limits}. */
final class Checks {
    private Checks() {}

    /** Throws unless {@code actual <= limit}; {@code limitName} names the constant, such as MAX_EXPORTS. */
    static void atMost(long actual, long limit, String limitName, String structure, String field, long fieldOffset)
            throws PeFormatException {
        if (actual < 0 || actual > limit) {
            throw new PeFormatException(structure, field, fieldOffset,
                    "at most " + limit + " (Limits." + limitName + ")", actual + " (" + hex(actual) + ")");
        }
    }
}
