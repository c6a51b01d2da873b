package dev.hotpatch.differ.normalise;

import dev.hotpatch.differ.code.CodeDecoder;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionTable;

/**
 * Turns each function into a fingerprint that does not depend on where the linker put anything: a hash of
 * its instructions with every address-bearing field cleared, branches inside the function named by their
 * target's position in the function (range and offset), and an ordered list of the other things it refers to
 * (functions, imports, globals, literals; resolved later by the {@code Resolver}). Alignment padding at the
 * end of a range is left out; padding between instructions counts by its length.
 */
public final class Normaliser {
    private static final long MARK_RANGE = 0x52414e47L;
    private static final long MARK_LOCAL = 0x4c4f43L;
    private static final long MARK_REF = 0x524546L;
    private static final long MARK_PAD = 0x504144L;
    private static final long MARK_BAD = 0x424144L;
    private static final long MARK_SLOT = 0x534c4f54L;
    private static final long MARK_TABLE = 0x5441424cL;

    /** Receives each instruction when a caller wants to see the normalised form (report rendering). */
    public interface Sink {
        /**
         * One instruction: its range and offset, its length, the branch target inside the function as
         * (range, offset) or -1, and the references it made as indexes into the RefTable.
         */
        void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef, int refCount,
                         long normHash);

        default void undecodable(int range, int offset) {}

        /**
         * Where reference {@code ref} (an index into the RefTable) is encoded: in range {@code range}, in the
         * instruction at {@code offset}, a field of kind {@code Step.FIELD_*} at {@code fieldOffset} from the
         * instruction (for ARM64 pairs, the ADRP's position relative to the completing instruction), with the
         * REL32 tail or ARM64 access shift in {@code extra}. An ARM64 page no instruction completes (REF_PAGE) has
         * no field ({@code Step.FIELD_NONE}): it is reported at the instruction that overwrote the register, or at
         * the ADRP itself when the range ends first.
         */
        default void reference(int ref, int range, int offset, int fieldKind, int fieldOffset, int extra) {}

        /** A branch from range {@code range} to {@code targetRange} of the same function, and its field. */
        default void crossRange(int range, int offset, int fieldKind, int fieldOffset, int extra, int targetRange,
                                long targetOffset) {}
    }

    private final ImageCode code;
    private final FunctionTable functions;
    private final CodeDecoder decoder;
    private final RefTable table;
    /** Where the function being normalised records its references: the image's table, or the replay's. */
    private RefTable refs;
    private final RefTable replayRefs = new RefTable();
    private final Step step = new Step();
    private final Hasher hasher = new Hasher();
    private final Hasher insnHasher = new Hasher();
    // The fingerprint of the function being normalised, written into it at the end (not by a replay).
    private long opcodeSet;
    private int instructions;
    private int codeBytes;
    private int entryCodeBytes;
    private int calls;
    private int branches;
    private int undecodable;
    private int firstLocalTarget;
    private byte[] buffer = new byte[1 << 16];
    // Per function: where each instruction starts (range << 32 | offset), and the branches inside the function
    // (from instruction index, target range << 32 | offset), resolved to instruction positions at the end.
    private long[] starts = new long[1024];
    private int startCount;
    private int[] localFrom = new int[256];
    private long[] localTo = new long[256];
    private int localCount;
    // Jump tables the compiler placed inside the current range (LLVM puts them in .text): [start, end) offsets.
    private final java.util.TreeMap<Integer, Integer> islands = new java.util.TreeMap<>();
    private int nextIsland = Integer.MAX_VALUE;

    public Normaliser(ImageCode code, FunctionTable functions, CodeDecoder decoder, RefTable refs) {
        this.code = code;
        this.functions = functions;
        this.decoder = decoder;
        this.table = refs;
        this.refs = refs;
    }

    /** A normaliser only for {@link #replay}: the functions' fingerprints are already in the table. */
    public Normaliser(ImageCode code, FunctionTable functions, CodeDecoder decoder) {
        this(code, functions, decoder, new RefTable());
    }

    /** Normalises every function in [from, to) of the table, in order. */
    public void normalise(int from, int to) {
        for (int i = from; i < to; i++) {
            normalise(functions.get(i), null);
        }
    }

    /**
     * Normalises one function: its references are appended to the RefTable and its fingerprint is written into
     * it. With a sink, also reports each instruction and reference (reference indexes are into the RefTable).
     */
    public void normalise(Fn fn, Sink sink) {
        refs = table;
        int refStart = refs.size();
        run(fn, sink);
        fn.refStart = refStart;
        fn.refEnd = refs.size();
        fn.bodyHash = hasher.value();
        fn.instructions = instructions;
        fn.codeBytes = codeBytes;
        fn.entryCodeBytes = entryCodeBytes;
        fn.calls = calls;
        fn.branches = branches;
        fn.undecodable = undecodable;
        fn.opcodeSet = opcodeSet;
        fn.firstLocalTarget = firstLocalTarget;
    }

    /**
     * Normalises one function again for a sink (to render a difference or plan a patch), leaving the function
     * and the RefTable as they are. Reference indexes the sink receives count from the function's first
     * reference (so {@code fn.tokenStart + ref} is its token); the returned table holds the references by those
     * indexes until the next replay.
     */
    public RefTable replay(Fn fn, Sink sink) {
        refs = replayRefs;
        refs.clear();
        try {
            run(fn, sink);
        } finally {
            refs = table;
        }
        return replayRefs;
    }

    private void run(Fn fn, Sink sink) {
        hasher.reset();
        instructions = 0;
        codeBytes = 0;
        entryCodeBytes = 0;
        calls = 0;
        branches = 0;
        undecodable = 0;
        opcodeSet = 0;
        firstLocalTarget = -1;
        startCount = 0;
        localCount = 0;
        for (int r = 0; r < fn.rangeCount(); r++) {
            long start = fn.rangeStart(r);
            int length = (int) Math.min(fn.rangeEnd(r) - start, 64L << 20);
            if (buffer.length < length) {
                buffer = new byte[Math.max(length, buffer.length * 2)];
            }
            code.read(start, length, buffer, 0);
            hasher.add(MARK_RANGE).add(r);
            decoder.reset();
            int relocCursor = code.firstRelocAtOrAfter(start);
            islands.clear();
            nextIsland = Integer.MAX_VALUE;
            int pos = 0;
            int padding = 0;
            int lastEnd = 0;
            while (pos < length) {
                long rva = start + pos;
                while (relocCursor < code.relocCount() && code.relocSite(relocCursor) < rva) {
                    relocCursor++;
                }
                long nextReloc = relocCursor < code.relocCount() ? code.relocSite(relocCursor) : Long.MAX_VALUE;
                if (nextReloc == rva) {
                    // A relocated pointer where an instruction would start: data in code (a pointer table).
                    flushPadding(padding);
                    padding = 0;
                    int width = code.relocWidth(relocCursor);
                    if (sink != null) {
                        sink.reference(refs.size(), r, pos, width == 8 ? Step.FIELD_ABS64 : Step.FIELD_ABS32, 0, 0);
                    }
                    refs.add(code.rvaOfAddress(code.readWord(rva, width)), Step.REF_DATA, 0);
                    hasher.add(MARK_SLOT).add(width);
                    if (sink != null) {
                        sink.undecodable(r, pos);
                    }
                    pos += width;
                    lastEnd = Math.min(pos, length);
                    continue;
                }
                while (nextIsland < pos) {      // an instruction ran over an island's start: it is not one
                    Integer after = islands.higherKey(nextIsland);
                    nextIsland = after == null ? Integer.MAX_VALUE : after;
                }
                Integer islandEnd = pos == nextIsland ? islands.get(pos) : null;
                if (islandEnd != null) {
                    Integer after = islands.higherKey(pos);
                    nextIsland = after == null ? Integer.MAX_VALUE : after;
                    // A jump table inside the code: its entries count as branches to instruction positions.
                    flushPadding(padding);
                    padding = 0;
                    hasher.add(MARK_TABLE).add((islandEnd - pos) / 4);
                    for (int e = pos; e + 4 <= islandEnd; e += 4) {
                        long target = rva + (e - pos) + readInt(buffer, e);
                        recordLocal(startCount, rangeOf(fn, target), target - fn.rangeStart(Math.max(0, rangeOf(fn, target))));
                    }
                    if (sink != null) {
                        sink.undecodable(r, pos);
                    }
                    pos = islandEnd;
                    lastEnd = pos;
                    continue;
                }
                boolean decoded = decoder.decode(buffer, pos, length, rva, step);
                if (decoded && nextReloc < rva + step.length && (nextReloc + code.relocWidth(relocCursor) > rva + step.length
                        || nextReloc - rva != step.dispField && nextReloc - rva != step.immField)) {
                    // A relocated pointer that is not one of the instruction's address fields: the instruction
                    // is a misreading of data, and the bytes before the pointer are data.
                    flushPadding(padding);
                    padding = 0;
                    hasher.add(MARK_BAD).add(buffer, pos, (int) (nextReloc - rva));
                    pos = (int) (nextReloc - start);
                    lastEnd = pos;
                    continue;
                }
                if (!decoded) {
                    flushPadding(padding);
                    padding = 0;
                    hasher.add(MARK_BAD).add(buffer, pos, Math.min(decoder.skip(), length - pos));
                    undecodable++;
                    if (sink != null) {
                        sink.undecodable(r, pos);
                    }
                    pos += decoder.skip();
                    lastEnd = Math.min(pos, length);
                    continue;
                }
                if (step.padding) {
                    padding += step.length;
                    pos += step.length;
                    continue;
                }
                flushPadding(padding);
                padding = 0;
                recordStart(r, pos);
                instructions++;
                opcodeSet += Hasher.mix(step.opcode);
                int firstRef = refs.size();
                int localRange = -1;
                long localOffset = -1;
                if (step.branchTarget >= 0) {
                    localRange = rangeOf(fn, step.branchTarget);
                    if (localRange >= 0) {
                        localOffset = step.branchTarget - fn.rangeStart(localRange);
                        hasher.add(MARK_LOCAL);
                        recordLocal(startCount - 1, localRange, localOffset);
                        if (sink != null && localRange != r) {
                            // A branch to another range of the same function (gcc's .cold part): a patch that
                            // places the ranges elsewhere must re-encode it. Reported with no reference index.
                            sink.crossRange(r, pos, step.branchFieldKind, step.branchFieldOffset, step.branchFieldTail,
                                    localRange, localOffset);
                        }
                        branches++;
                        if (localRange == 0 && localOffset > 0 && (firstLocalTarget < 0 || localOffset < firstLocalTarget)) {
                            firstLocalTarget = (int) localOffset;
                        }
                    } else {
                        if (sink != null) {
                            sink.reference(refs.size(), r, pos, step.branchFieldKind, step.branchFieldOffset, step.branchFieldTail);
                        }
                        refs.add(step.branchTarget, RefTable.CODE | step.flow, 0);
                        hasher.add(MARK_REF);
                    }
                    if (step.flow == Step.CALL) {
                        calls++;
                    }
                }
                for (int k = 0; k < step.refCount; k++) {
                    long t = step.refTarget[k];
                    if (t > rva && t < start + length && (step.refFlags[k] & Step.REF_PAGE) == 0) {
                        findIsland(fn, buffer, start, length, (int) (t - start));
                    }
                    if (sink != null) {
                        sink.reference(refs.size(), r, pos, step.refFieldKind[k], step.refFieldOffset[k], step.refFieldExtra[k]);
                    }
                    refs.add(step.refTarget[k], step.refFlags[k], step.refAccessSize[k]);
                    hasher.add(MARK_REF);
                }
                relocCursor = relocations(rva, step.length, relocCursor, sink, r, pos);
                if (step.canonical != 0) {
                    hasher.add(step.canonical);
                } else {
                    hasher.add(step.norm, 0, step.length);
                }
                if (sink != null) {
                    long insnHash = step.canonical != 0 ? Hasher.mix(step.canonical)
                            : insnHasher.reset().add(step.norm, 0, step.length).value();
                    sink.instruction(r, pos, step.length, localRange, localOffset, firstRef, refs.size() - firstRef, insnHash);
                }
                pos += step.length;
                lastEnd = pos;
            }
            decoder.flushPending(start, step);
            for (int k = 0; k < step.refCount; k++) {
                if (sink != null) {
                    // An ARM64 page still pending at the range's end: reported at the ADRP itself, with no field
                    // (like a page an instruction overwrote mid-range), so a patch cannot carry it unchanged.
                    sink.reference(refs.size(), r, step.refFieldOffset[k], step.refFieldKind[k], 0, step.refFieldExtra[k]);
                }
                refs.add(step.refTarget[k], step.refFlags[k], 0);
                hasher.add(MARK_REF);
            }
            codeBytes += lastEnd;
            if (r == 0) {
                entryCodeBytes = lastEnd;
            }
        }
        hashLocalBranches();
    }

    /**
     * An address-of into the current range ahead of the code: when at least four 32-bit entries there, read as
     * offsets from the table, lead into the function, the table is data, not instructions.
     */
    private void findIsland(Fn fn, byte[] bytes, long start, int length, int at) {
        if (islands.containsKey(at)) {
            return;
        }
        int n = 0;
        while (at + 4 * (n + 1) <= length && n < 4096) {
            long target = start + at + readInt(bytes, at + 4 * n);
            if (rangeOf(fn, target) < 0) {
                break;
            }
            n++;
        }
        if (n >= 4) {
            islands.put(at, at + 4 * n);
            nextIsland = Math.min(nextIsland, at);
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private void recordStart(int range, int offset) {
        if (startCount == starts.length) {
            starts = java.util.Arrays.copyOf(starts, startCount * 2);
        }
        starts[startCount++] = (long) range << 32 | offset;
    }

    private void recordLocal(int from, int range, long offset) {
        if (localCount == localFrom.length) {
            localFrom = java.util.Arrays.copyOf(localFrom, localCount * 2);
            localTo = java.util.Arrays.copyOf(localTo, localCount * 2);
        }
        localFrom[localCount] = from;
        localTo[localCount++] = (long) range << 32 | offset;
    }

    /**
     * Branches inside the function count by the position of their target in the instruction sequence, not by
     * its offset, so a branch whose encoding the linker relaxed (EB to E9) does not move every target after it.
     * A target between instruction starts counts by where it would be inserted, negated.
     */
    private void hashLocalBranches() {
        for (int i = 0; i < localCount; i++) {
            int at = java.util.Arrays.binarySearch(starts, 0, startCount, localTo[i]);
            hasher.add(MARK_LOCAL).add(localFrom[i]).add(at);
        }
    }

    private void flushPadding(int padding) {
        if (padding > 0) {
            hasher.add(MARK_PAD).add(padding);
        }
    }

    private static int rangeOf(Fn fn, long rva) {
        for (int r = 0; r < fn.rangeCount(); r++) {
            if (rva >= fn.rangeStart(r) && rva < fn.rangeEnd(r)) {
                return r;
            }
        }
        return -1;
    }

    /**
     * Base relocations inside the instruction name absolute addresses: their bytes are cleared and each one
     * whose site starts in the instruction becomes a reference. Returns the advanced cursor.
     */
    private int relocations(long rva, int length, int cursor, Sink sink, int range, int pos) {
        int i = cursor;
        while (i > 0 && code.relocSite(i - 1) + 8 > rva) {
            i--;
        }
        while (i < code.relocCount() && code.relocSite(i) < rva + length) {
            long site = code.relocSite(i);
            int width = code.relocWidth(i);
            if (site + width > rva) {
                int from = (int) Math.max(0, site - rva);
                int to = (int) Math.min(length, site + width - rva);
                if (site >= rva) {
                    long target = code.rvaOfAddress(code.readWord(site, width));
                    boolean indexed = step.dispIndexed && site - rva == step.dispField;
                    if (sink != null) {
                        sink.reference(refs.size(), range, pos, width == 8 ? Step.FIELD_ABS64 : Step.FIELD_ABS32,
                                (int) (site - rva), 0);
                    }
                    refs.add(target, Step.REF_DATA | (indexed ? Step.REF_INDEXED : 0), 0);
                    hasher.add(MARK_REF);
                }
                for (int k = from; k < to; k++) {
                    step.norm[k] = 0;
                }
            }
            i++;
        }
        return i;
    }
}
