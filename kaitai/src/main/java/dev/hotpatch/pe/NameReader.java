package dev.hotpatch.pe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads NUL-terminated names at RVAs as the loader sees them, for one directory: a name may end where its
 * section's file-backed bytes end when the section's zero-filled tail follows, and may not run on into other
 * bytes of the file. Names are charged to a budget of {@link Limits#MAX_NAME_BYTES}, so that a table of pointers
 * into one long run of bytes cannot make the reader copy gigabytes.
 */
final class NameReader {
    private final PeReader.Parts parts;
    private final String directory;
    private long used;

    NameReader(PeReader.Parts parts, String directory) {
        this.parts = parts;
        this.directory = directory;
    }

    /** The name at an RVA; {@code structure.field} (at {@code fieldOffset}) is what held the RVA. */
    String atRva(long rva, String structure, String field, long fieldOffset) throws PeFormatException {
        long offset = parts.addressMap.requireFileOffset(rva, 1, structure, field, fieldOffset);
        long backed = backedBytes(rva);
        int window = (int) Math.min(backed, Limits.MAX_NAME_LENGTH);
        ByteBuffer bytes = parts.bytes.slice(offset, window);
        for (int i = 0; i < window; i++) {
            if (bytes.get(i) == 0) {
                return charged(bytes, i, structure, field, fieldOffset);
            }
        }
        if (window == backed && zeroFilledAfter(rva + backed)) {
            return charged(bytes, window, structure, field, fieldOffset);   // ended by the section's zero fill
        }
        throw new PeFormatException(structure, field, fieldOffset,
                "a NUL-terminated string of at most " + Limits.MAX_NAME_LENGTH + " bytes at RVA " + hex(rva),
                "no terminator before " + hex(offset + window));
    }

    private String charged(ByteBuffer bytes, int length, String structure, String field, long fieldOffset)
            throws PeFormatException {
        charge(length + 1L, structure, field, fieldOffset);
        byte[] raw = new byte[length];
        bytes.get(0, raw);
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Charges a name read some other way to the budget. */
    void charge(long bytes, String structure, String field, long fieldOffset) throws PeFormatException {
        used += bytes;
        if (used > Limits.MAX_NAME_BYTES) {
            throw new PeFormatException(structure, field, fieldOffset,
                    "at most " + Limits.MAX_NAME_BYTES + " bytes of names in the " + directory
                            + " (Limits.MAX_NAME_BYTES)", "more (" + used + " so far)");
        }
    }

    /**
     * File-backed bytes from {@code rva} to the end of its section's raw data, or, for a name that starts in the
     * header area, to the end of the file: unlike {@link AddressMap#backedLength}, names there are not cut at
     * SizeOfHeaders (as this reader has always read them).
     */
    long backedBytes(long rva) {
        long backed = parts.addressMap.backedLength(rva, Long.MAX_VALUE);
        if (backed > 0 && parts.addressMap.sectionAt(rva) == null) {
            return parts.bytes.length() - rva;   // header area: the file offset is the RVA
        }
        return backed;
    }

    /** True when {@code rva} is in the zero-filled part of a section: memory the loader has cleared. */
    boolean zeroFilledAfter(long rva) {
        Section s = parts.addressMap.sectionAt(rva);
        return s != null && rva - s.rva() >= s.mappedSize();
    }
}
