package dev.hotpatch.signer.authenticode;

/**
 * Walks the tag-length-value headers of untrusted DER before a parser sees it, without recursion: every length
 * must be definite, fit in its enclosing value and in the buffer, and constructed values may nest at most
 * {@link #MAX_DEPTH} deep. Bouncy Castle's parser recurses on nesting, so a few kilobytes of nested SEQUENCE
 * headers would otherwise overflow the stack.
 */
public final class DerLimits {
    private DerLimits() {}

    /** Deeper than any certificate, CMS or time-stamp structure needs. */
    public static final int MAX_DEPTH = 48;

    /**
     * Checks the first DER value at {@code offset} and returns its encoded length (header and contents).
     *
     * @param what names the structure in messages, such as "the PKCS#7 signature"
     */
    public static int check(byte[] b, int offset, int length, String what) throws SignatureFormatException {
        int limit = offset + length;
        int[] ends = new int[MAX_DEPTH + 1];
        int depth = 0;
        int pos = offset;
        int outerEnd = -1;
        do {
            while (depth > 0 && pos == ends[depth - 1]) {
                depth--;
            }
            if (depth == 0 && outerEnd >= 0) {
                break;
            }
            Header h = header(b, pos, depth == 0 ? limit : ends[depth - 1], offset, what);
            if (outerEnd < 0) {
                outerEnd = h.end;
            }
            if (h.constructed && h.end > h.valueStart) {
                if (depth == MAX_DEPTH) {
                    throw new SignatureFormatException(what + " nests deeper than " + MAX_DEPTH
                            + " levels at offset " + (pos - offset));
                }
                ends[depth++] = h.end;
                pos = h.valueStart;
            } else {
                pos = h.end;
            }
        } while (depth > 0);
        return outerEnd - offset;
    }

    /**
     * Reads only the tag and length of the first DER value at {@code offset} and returns its encoded length, for
     * a caller that hands the value on to a parser that runs {@link #check} itself.
     */
    public static int outerLength(byte[] b, int offset, int length, String what) throws SignatureFormatException {
        return header(b, offset, offset + length, offset, what).end - offset;
    }

    /** A tag-length header: whether the value is constructed, and where the value starts and ends. */
    private record Header(boolean constructed, int valueStart, int end) {}

    /** Reads the header at {@code start}, whose value must end by {@code enclosing}. */
    private static Header header(byte[] b, int start, int enclosing, int offset, String what)
            throws SignatureFormatException {
        int pos = start;
        if (pos >= enclosing) {
            throw new SignatureFormatException(what + " ends inside a value at offset " + (start - offset));
        }
        int tag = b[pos++] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            int n = 0;
            do {
                if (pos >= enclosing || ++n > 4) {
                    throw new SignatureFormatException(what + " has a malformed tag at offset " + (start - offset));
                }
            } while ((b[pos++] & 0x80) != 0);
        }
        if (pos >= enclosing) {
            throw new SignatureFormatException(what + " ends inside a length at offset " + (start - offset));
        }
        int first = b[pos++] & 0xFF;
        long len;
        if (first < 0x80) {
            len = first;
        } else if (first == 0x80) {
            throw new SignatureFormatException(what + " uses an indefinite length at offset " + (start - offset)
                    + "; Authenticode signatures are DER");
        } else {
            int n = first & 0x7F;
            if (n > 4 || pos + n > enclosing) {
                throw new SignatureFormatException(what + " has a length of " + n + " bytes at offset "
                        + (start - offset) + ", more than the value can hold");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = len << 8 | (b[pos++] & 0xFF);
            }
        }
        if (len > enclosing - pos) {
            throw new SignatureFormatException(what + " declares a value of " + len + " bytes at offset "
                    + (start - offset) + " where only " + (enclosing - pos) + " remain");
        }
        return new Header((tag & 0x20) != 0, pos, pos + (int) len);
    }
}
