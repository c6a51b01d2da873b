package dev.hotpatch.pe;

import dev.hotpatch.format.StructureException;

/**
 * The one checked error for malformed PE/COFF input: structure, field (as in our .ksy files), the field's file
 * offset, expected and actual values (see {@link StructureException}).
 */
public final class PeFormatException extends StructureException {
    private static final long serialVersionUID = 1L;

    public PeFormatException(String structure, String field, long offset, String expected, String actual) {
        super(structure, field, offset, expected, actual);
    }
}
