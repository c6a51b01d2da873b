package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.X64ExceptionTable;
import dev.hotpatch.kaitai.layout.bulk.X64UnwindInfo;

import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static dev.hotpatch.pe.ExceptionDirectoryReader.X64_ENTRY_SIZE;
import static dev.hotpatch.pe.ExceptionDirectoryReader.entryName;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Walks an x64 function table. Each distinct UNWIND_INFO is parsed once (header and tail only) and its facts
 * are cached by RVA in primitive arrays: its handler, the function it is chained to, and, once resolved, the
 * root of its chain. Chains are followed at most {@link Limits#MAX_UNWIND_CHAIN} deep, so cycles end in an
 * error.
 */
final class X64FunctionTableReader {
    private static final int NONE = -1;
    private static final byte UNRESOLVED = 0;
    private static final byte RESOLVED = 1;

    private final StepInput in;
    private final UnwindDetails details;
    private final RuntimeFunctions.Builder out;
    private final IntIntMap slotByRva;
    private int slots;
    private long zeros;   // all-zero entries (padding), skipped
    private int[] rva = new int[64];
    private int[] handler = new int[64];
    private int[] chainBegin = new int[64];
    private int[] chainUnwind = new int[64];
    private int[] rootBegin = new int[64];
    private int[] rootHandler = new int[64];
    private byte[] state = new byte[64];

    X64FunctionTableReader(StepInput in, UnwindDetails details, RuntimeFunctions.Builder out, int count) {
        this.in = in;
        this.details = details;
        this.out = out;
        this.slotByRva = new IntIntMap(count);
    }

    void read(long tableOffset, int count) throws PeFormatException {
        Runs.parse(in.bytes, "x64_exception_table", tableOffset, count, X64_ENTRY_SIZE, X64ExceptionTable::new,
                (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        X64ExceptionTable.RuntimeFunction e = run.entries().get(j);
                        if (e.rvaBegin() == 0 && e.rvaEnd() == 0 && e.rvaUnwindInfo() == 0) {
                            zeros++;
                            continue;
                        }
                        entry(first + j, e, runOffset + (long) j * X64_ENTRY_SIZE);
                    }
                });
        if (zeros > 0) {
            in.warn("the exception directory holds " + zeros + " all-zero runtime_function entries (padding);"
                    + " they are skipped");
        }
    }

    /** File offset of a field of the RUNTIME_FUNCTION at {@code entryOffset}, for messages. */
    private long entryField(long entryOffset, String field) {
        return KaitaiParse.locate(in.bytes, entryOffset, X64_ENTRY_SIZE,
                dev.hotpatch.kaitai.layout.X64ExceptionTable.RuntimeFunction::new, field);
    }

    private void entry(long index, X64ExceptionTable.RuntimeFunction e, long entryOffset) throws PeFormatException {
        long begin = e.rvaBegin();
        long end = e.rvaEnd();
        String problem = ExceptionDirectoryReader.badRange(in, begin, end);
        if (problem != null) {
            throw new PeFormatException(entryName(index), "rva_end", entryField(entryOffset, "rva_end"), problem,
                    hex(end));
        }
        ExceptionDirectoryReader.warnIfEmpty(in, index, begin, end);
        long unwind = e.rvaUnwindInfo();
        if ((unwind & 1) != 0) {
            indirect(index, e, entryOffset, begin, end);
            return;
        }
        int slot = slotByRva.get((int) unwind);
        if (slot < 0) {
            slot = summary(unwind, () -> entryName(index), "rva_unwind_info",
                    () -> entryField(entryOffset, "rva_unwind_info"));
        }
        if (chainUnwind[slot] == NONE) {
            out.add(begin, end, unwind, UnwindForm.X64, false, begin, handler[slot]);
        } else {
            resolveRoot(slot, index);
            out.add(begin, end, unwind, UnwindForm.X64, true, u(rootBegin[slot]), rootHandler[slot]);
        }
    }

    /** RUNTIME_FUNCTION_INDIRECT: the unwind RVA, minus 1, is another RUNTIME_FUNCTION whose unwind info applies. */
    private void indirect(long index, X64ExceptionTable.RuntimeFunction e, long entryOffset, long begin, long end)
            throws PeFormatException {
        String structure = entryName(index) + ".indirect_function";
        long target = e.rvaUnwindInfo() - 1;
        long offset = in.map.requireFileOffset(target, X64_ENTRY_SIZE, entryName(index), "rva_unwind_info",
                () -> entryField(entryOffset, "rva_unwind_info"));
        X64ExceptionTable.RuntimeFunction t = KaitaiParse.parse(in.bytes, structure, offset, X64_ENTRY_SIZE,
                X64ExceptionTable.RuntimeFunction::new);
        if ((t.rvaUnwindInfo() & 1) != 0) {
            throw new PeFormatException(structure, "rva_unwind_info", entryField(offset, "rva_unwind_info"),
                    "the RVA of an UNWIND_INFO (indirection does not nest)", hex(t.rvaUnwindInfo()));
        }
        int slot = slotByRva.get((int) t.rvaUnwindInfo());
        if (slot < 0) {
            slot = summary(t.rvaUnwindInfo(), () -> structure, "rva_unwind_info",
                    () -> entryField(offset, "rva_unwind_info"));
        }
        long primary = t.rvaBegin();
        long handlerRva = handler[slot];
        if (chainUnwind[slot] != NONE) {
            resolveRoot(slot, index);
            primary = u(rootBegin[slot]);
            handlerRva = rootHandler[slot];
        }
        out.add(begin, end, t.rvaUnwindInfo(), UnwindForm.X64, true, primary, handlerRva);
    }

    /**
     * Parses the unwind info at {@code unwindRva} (not yet cached) and caches what the table needs of it;
     * {@code field} of {@code holder} held the RVA.
     */
    private int summary(long unwindRva, Supplier<String> holder, String field, LongSupplier fieldOffset)
            throws PeFormatException {
        X64UnwindInfo info = details.openX64(unwindRva, holder, field, fieldOffset);
        long offset = details.fileOffset(unwindRva);
        int chainedBegin = NONE;
        int chainedUnwind = NONE;
        int handlerRva = NONE;
        if (info.hasChainInfo()) {
            X64ExceptionTable.RuntimeFunction f = info.chainedFunction();   // inside the checked extent
            if ((f.rvaUnwindInfo() & 1) != 0 || f.rvaUnwindInfo() == unwindRva) {
                throw new PeFormatException(holder.get() + ".unwind_info.chained_function", "rva_unwind_info",
                        chainFieldOffset(offset, info.lenUnwindInfo()), "the RVA of another UNWIND_INFO",
                        hex(f.rvaUnwindInfo()));
            }
            chainedBegin = (int) f.rvaBegin();
            chainedUnwind = (int) f.rvaUnwindInfo();
            if (info.hasExceptionHandler() || info.hasTerminationHandler()) {
                in.warnRepeated("chain and handler flags", holder.get() + ".unwind_info at RVA " + hex(unwindRva)
                        + " sets UNW_FLAG_CHAININFO with a handler flag; the handler flag is ignored");
            }
        } else if (info.hasHandler()) {
            long h = info.rvaExceptionHandler();                            // inside the checked extent
            String problem = ExceptionDirectoryReader.badHandler(in, h);
            if (problem != null) {
                throw new PeFormatException(holder.get() + ".unwind_info", "rva_exception_handler",
                        KaitaiParse.locate(in.bytes, offset, info.lenUnwindInfo(),
                                dev.hotpatch.kaitai.layout.X64UnwindInfo::new, "rva_exception_handler"),
                        problem, hex(h));
            }
            handlerRva = (int) h;
        }
        int slot = newSlot(unwindRva, handlerRva, chainedBegin, chainedUnwind);
        slotByRva.put((int) unwindRva, slot);
        return slot;
    }

    /** File offset of chained_function.rva_unwind_info in the unwind info at {@code offset}, for messages. */
    private long chainFieldOffset(long offset, long length) {
        return KaitaiParse.locate(in.bytes, offset, length,
                io -> new dev.hotpatch.kaitai.layout.X64UnwindInfo(io).chainedFunction(), "rva_unwind_info");
    }

    private int newSlot(long unwindRva, int handlerRva, int chainedBegin, int chainedUnwind) {
        if (slots == rva.length) {
            int n = slots * 2;
            rva = Arrays.copyOf(rva, n);
            handler = Arrays.copyOf(handler, n);
            chainBegin = Arrays.copyOf(chainBegin, n);
            chainUnwind = Arrays.copyOf(chainUnwind, n);
            rootBegin = Arrays.copyOf(rootBegin, n);
            rootHandler = Arrays.copyOf(rootHandler, n);
            state = Arrays.copyOf(state, n);
        }
        rva[slots] = (int) unwindRva;
        handler[slots] = handlerRva;
        chainBegin[slots] = chainedBegin;
        chainUnwind[slots] = chainedUnwind;
        state[slots] = UNRESOLVED;
        return slots++;
    }

    /**
     * Follows the chain from the chained unwind info in {@code start} to its root and records the root in every
     * node passed; {@code index} is the table entry that led here, for messages.
     */
    private void resolveRoot(int start, long index) throws PeFormatException {
        if (state[start] == RESOLVED) {
            return;
        }
        int[] path = new int[Limits.MAX_UNWIND_CHAIN + 1];
        int depth = 0;
        path[0] = start;
        int cur = start;
        while (chainUnwind[cur] != NONE && state[cur] != RESOLVED) {
            long from = u(rva[cur]);
            long fromOffset = details.fileOffset(from);
            if (depth == Limits.MAX_UNWIND_CHAIN) {
                throw new PeFormatException(entryName(index) + ".unwind_info", "chained_function",
                        chainFieldOffset(details.fileOffset(u(rva[start])), UnwindDetails.VIEW_LIMIT),
                        "a chain of at most " + Limits.MAX_UNWIND_CHAIN + " unwind infos (Limits.MAX_UNWIND_CHAIN)"
                                + " ending in one without UNW_FLAG_CHAININFO",
                        "a longer chain or a cycle through RVA " + hex(from));
            }
            int next = slotByRva.get(chainUnwind[cur]);
            if (next < 0) {
                next = summary(u(chainUnwind[cur]), () -> "unwind_info[" + hex(from) + "].chained_function",
                        "rva_unwind_info",
                        () -> chainFieldOffset(fromOffset, UnwindDetails.VIEW_LIMIT));
            }
            cur = next;
            path[++depth] = cur;
        }
        int rootBeginRva;
        int rootHandlerRva;
        if (state[cur] == RESOLVED) {
            rootBeginRva = rootBegin[cur];
            rootHandlerRva = rootHandler[cur];
        } else {
            rootBeginRva = chainBegin[path[depth - 1]];
            rootHandlerRva = handler[cur];
        }
        for (int i = 0; i <= depth; i++) {
            int node = path[i];
            if (chainUnwind[node] != NONE) {
                rootBegin[node] = rootBeginRva;
                rootHandler[node] = rootHandlerRva;
                state[node] = RESOLVED;
            }
        }
    }

    private static long u(int value) {
        return Integer.toUnsignedLong(value);
    }
}
