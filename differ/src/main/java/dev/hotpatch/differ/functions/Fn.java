package dev.hotpatch.differ.functions;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One function of an image: its entry, its byte ranges (the entry's range first, then fragments such as
 * gcc's {@code .cold} parts or chained .pdata entries), the name it has (if any), the sources that found it,
 * and, once normalised, its fingerprint.
 */
public final class Fn {
    private final int index;
    private final long entry;
    private final long[] starts;
    private final long[] ends;
    private final String symbol;
    private final int sources;

    // Fingerprint, filled by the normaliser.
    public long bodyHash;
    public long opcodeSet;
    public int instructions;
    public int codeBytes;
    /** Code bytes of the entry range alone, trailing padding excluded. */
    public int entryCodeBytes;
    public int calls;
    public int branches;
    public int undecodable;
    public int refStart;
    public int refEnd;
    /** Resolved references ({@code Tokens}) and the hash of the body with their kinds and content values. */
    public int tokenStart;
    public int tokenEnd;
    public long shapeHash;
    /** The body and the kinds of its references only (not what they refer to): pairs a function whose only
     *  change is a literal or a callee. */
    public long skeletonHash;
    /**
     * For a thunk (a function that only jumps to an import or to another function, such as mingw's
     * {@code jmp [__imp_f]} stubs or MSVC's incremental-linking jumps): what references to it stand for,
     * as a token kind and value; 0 when the function is not a thunk.
     */
    public byte thunkKind;
    public long thunkValue;
    /** Smallest non-zero offset in the entry range that a branch inside the function targets, or -1. */
    public int firstLocalTarget = -1;

    Fn(int index, long entry, long[] starts, long[] ends, String symbol, int sources) {
        this.index = index;
        this.entry = entry;
        this.starts = starts;
        this.ends = ends;
        this.symbol = symbol;
        this.sources = sources;
    }

    /** The fingerprint fields as one array, to compare a function's state before and after something runs. */
    public long[] saveFingerprint() {
        return new long[] {bodyHash, refStart, refEnd, instructions, codeBytes, calls, branches, undecodable,
                opcodeSet, firstLocalTarget, entryCodeBytes};
    }

    public int index() {
        return index;
    }

    public long entry() {
        return entry;
    }

    public int rangeCount() {
        return starts.length;
    }

    public long rangeStart(int i) {
        return starts[i];
    }

    public long rangeEnd(int i) {
        return ends[i];
    }

    /** The raw symbol name (mangled), or null when no source names the function. */
    public String symbol() {
        return symbol;
    }

    public boolean named() {
        return symbol != null;
    }

    /** Source-level name when the symbol demangles, else the symbol, else sub_RVA. */
    public String displayName() {
        return symbol == null ? String.format("sub_%x", entry) : Names.sourceName(symbol);
    }

    public boolean foundBy(Found source) {
        return (sources & 1 << source.ordinal()) != 0;
    }

    public Set<Found> foundBy() {
        Set<Found> out = EnumSet.noneOf(Found.class);
        for (Found f : Found.values()) {
            if (foundBy(f)) {
                out.add(f);
            }
        }
        return out;
    }

    public List<long[]> ranges() {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            out.add(new long[] {starts[i], ends[i]});
        }
        return out;
    }
}
