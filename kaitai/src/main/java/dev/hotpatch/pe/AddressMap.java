package dev.hotpatch.pe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Maps RVAs to file offsets the way the Windows loader lays an image out: the headers at RVA 0, then each
 * section's file-backed bytes at its VirtualAddress, and zeros for the rest of the section.
 */
public final class AddressMap {
    private final long sizeOfHeaders;
    private final long fileLength;
    private final Section[] byRva;

    public AddressMap(List<Section> sections, long sizeOfHeaders, long fileLength) {
        List<Section> sorted = new ArrayList<>(sections);
        sorted.sort(Comparator.comparingLong(Section::rva).thenComparingInt(Section::index));
        this.byRva = sorted.toArray(Section[]::new);
        this.sizeOfHeaders = sizeOfHeaders;
        this.fileLength = fileLength;
    }

    /** The section whose memory extent holds {@code rva}, or null (header area, gaps, past the image). */
    public Section sectionAt(long rva) {
        int lo = 0;
        int hi = byRva.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (byRva[mid].rva() <= rva) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Sections may overlap in hostile files: take the first (lowest index) that holds the RVA.
        Section best = null;
        for (int i = found; i >= 0 && i > found - 8; i--) {
            if (byRva[i].contains(rva) && (best == null || byRva[i].index() < best.index())) {
                best = byRva[i];
            }
        }
        return best;
    }

    /**
     * The file offset that backs {@code size} bytes at {@code rva}, or -1 when any of them is not backed by the
     * file (zero-fill, gap, or past the end of the file).
     */
    public long fileOffset(long rva, long size) {
        if (rva < 0 || size < 0) {
            return -1;
        }
        Section s = sectionAt(rva);
        if (s == null) {
            boolean inHeaders = rva + size <= Math.min(sizeOfHeaders, fileLength) || (byRva.length == 0
                    && rva + size <= fileLength);
            return inHeaders ? rva : -1;
        }
        long delta = rva - s.rva();
        if (delta + size > s.mappedSize()) {
            return -1;
        }
        return s.mappedOffset() + delta;
    }

    /**
     * How many of the {@code max} bytes at {@code rva} are backed by the file without leaving the region that
     * holds the first one: the section's raw data, or the headers (as {@link #fileOffset} bounds them). 0 when
     * not even the first byte is backed; {@code fileOffset(rva, n) >= 0} exactly for {@code n} up to the result.
     */
    public long backedLength(long rva, long max) {
        if (rva < 0 || max <= 0) {
            return 0;
        }
        Section s = sectionAt(rva);
        long end;
        if (s != null) {
            end = s.rva() + s.mappedSize();
        } else {
            end = byRva.length == 0 ? fileLength : Math.min(sizeOfHeaders, fileLength);
        }
        return Math.max(0, Math.min(max, end - rva));
    }

    /** Like {@link #fileOffset} but throws a message naming the structure and field that held the RVA. */
    public long requireFileOffset(long rva, long size, String structure, String field, long fieldOffset)
            throws PeFormatException {
        long offset = fileOffset(rva, size);
        if (offset < 0) {
            throw notBacked(rva, size, structure, field, fieldOffset);
        }
        return offset;
    }

    /**
     * Like {@link #requireFileOffset(long, long, String, String, long)}, finding the field's offset only when it
     * throws (callers that find it by parsing again pay for that only on the error path).
     */
    public long requireFileOffset(long rva, long size, String structure, String field, LongSupplier fieldOffset)
            throws PeFormatException {
        long offset = fileOffset(rva, size);
        if (offset < 0) {
            throw notBacked(rva, size, structure, field, fieldOffset.getAsLong());
        }
        return offset;
    }

    private PeFormatException notBacked(long rva, long size, String structure, String field, long fieldOffset) {
        return new PeFormatException(structure, field, fieldOffset, "an RVA range backed by file bytes",
                "RVA 0x" + Long.toHexString(rva) + "+0x" + Long.toHexString(size)
                        + (sectionAt(rva) == null ? " outside every section" : " past the section's raw data"));
    }

    /** The RVA that a file offset is mapped at, or -1 when no section maps it. */
    public long rvaOfFileOffset(long offset) {
        for (Section s : byRva) {
            if (offset >= s.mappedOffset() && offset - s.mappedOffset() < s.mappedSize()) {
                return s.rva() + (offset - s.mappedOffset());
            }
        }
        return offset < sizeOfHeaders ? offset : -1;
    }
}
