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
            int enclosing = depth == 0 ? limit : ends[depth - 1];
            int start = pos;
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
            int end = pos + (int) len;
            if (outerEnd < 0) {
                outerEnd = end;
            }
            if ((tag & 0x20) != 0 && len > 0) {
                if (depth == MAX_DEPTH) {
                    throw new SignatureFormatException(what + " nests deeper than " + MAX_DEPTH
                            + " levels at offset " + (start - offset));
                }
                ends[depth++] = end;
            } else {
                pos = end;
            }
        } while (depth > 0);
        return outerEnd - offset;
    }
}
