package dev.hotpatch.pe;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Which offsets of a COFF string table start a valid name: one scan of the table records the runs where no NUL
 * follows within {@link Limits#MAX_NAME_LENGTH} bytes, so that each symbol's name is checked by a binary search
 * instead of a scan (a million symbols pointing into one long run of bytes would otherwise cost billions).
 */
final class CoffStringTable {
    private final long size;
    private final long firstName;
    private long[] badStarts = new long[4];
    private long[] badEnds = new long[4];
    private int bad;

    /** {@code firstName} is where names may start: just past the table's size field. */
    CoffStringTable(ImageBytes bytes, long offset, long size, long firstName) {
        this.size = size;
        this.firstName = firstName;
        ByteBuffer table = bytes.slice(offset, size);
        byte[] chunk = new byte[1 << 16];
        long runStart = 0;
        for (long base = 0; base < size; base += chunk.length) {
            int n = (int) Math.min(chunk.length, size - base);
            table.get((int) base, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    long nul = base + i;
                    addBad(runStart, nul - Limits.MAX_NAME_LENGTH + 1);
                    runStart = nul + 1;
                }
            }
        }
        addBad(runStart, size);   // no NUL after the last one: no name may start there
    }

    private void addBad(long start, long end) {
        if (end <= start) {
            return;
        }
        if (bad == badStarts.length) {
            badStarts = Arrays.copyOf(badStarts, bad * 2);
            badEnds = Arrays.copyOf(badEnds, bad * 2);
        }
        badStarts[bad] = start;
        badEnds[bad] = end;
        bad++;
    }

    /** True when a NUL-terminated name of at most MAX_NAME_LENGTH bytes starts at {@code offset}. */
    boolean holdsName(long offset) {
        if (offset < firstName || offset >= size) {
            return false;
        }
        int i = Arrays.binarySearch(badStarts, 0, bad, offset);
        int at = i >= 0 ? i : -i - 2;   // the last run that starts at or before offset
        return at < 0 || offset >= badEnds[at];
    }
}
