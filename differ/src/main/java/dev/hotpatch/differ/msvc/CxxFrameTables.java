package dev.hotpatch.differ.msvc;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.pe.Arm64XData;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.RuntimeFunction;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.X64UnwindInfo;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The MSVC C++ exception tables of a 64-bit image (x64, ARM64: every pointer is a 32-bit RVA), read as far as the
 * differ needs them: which code a {@code __CxxFrameHandler3} FuncInfo names as its catch and cleanup funclets.
 * Layouts: FuncInfo {magic, maxState, pUnwindMap, nTryBlocks, pTryBlockMap, nIPMapEntries, pIPtoStateMap,
 * dispUnwindHelp, pESTypeList, EHFlags}; UnwindMapEntry {toState, action}; TryBlockMapEntry {tryLow, tryHigh,
 * catchHigh, nCatches, pHandlerArray}; HandlerType {adjectives, pType, dispCatchObj, addressOfHandler,
 * dispFrame}. Every count is bounded and every read is of mapped bytes (unmapped reads give zeros), so a hostile
 * table costs at most {@link #MAX_ENTRIES} reads.
 */
public final class CxxFrameTables {
    private CxxFrameTables() {}

    /** FuncInfo magic numbers (low 29 bits): VC 6, VC 7 (ES type list), VC 8 (EH flags). */
    private static final long MAGIC_VC6 = 0x19930520L;
    private static final long MAGIC_VC8 = 0x19930522L;
    /** Table entries read per FuncInfo at most; a real function has a few dozen. */
    public static final int MAX_ENTRIES = 1 << 16;

    /** Whether the word at {@code rva} is a FuncInfo magic number. */
    public static boolean isFuncInfo(ImageCode code, long rva) {
        long magic = code.readWord(rva, 4) & 0x1FFF_FFFFL;
        return rva > 0 && magic >= MAGIC_VC6 && magic <= MAGIC_VC8;
    }

    /**
     * The code RVAs the FuncInfo at {@code rva} names as funclets (cleanup actions and catch handlers), or empty
     * when it is not a FuncInfo.
     */
    public static Optional<Set<Long>> funclets(ImageCode code, long rva) {
        if (!isFuncInfo(code, rva)) {
            return Optional.empty();
        }
        Set<Long> out = new TreeSet<>();
        long maxState = code.readWord(rva + 4, 4);
        long unwindMap = code.readWord(rva + 8, 4);
        long tryBlocks = code.readWord(rva + 12, 4);
        long tryMap = code.readWord(rva + 16, 4);
        int budget = MAX_ENTRIES;
        for (long i = 0; i < maxState && unwindMap != 0 && budget-- > 0; i++) {
            addCode(code, code.readWord(unwindMap + i * 8 + 4, 4), out);
        }
        for (long t = 0; t < tryBlocks && tryMap != 0 && budget-- > 0; t++) {
            long entry = tryMap + t * 20;
            long catches = code.readWord(entry + 12, 4);
            long handlers = code.readWord(entry + 16, 4);
            for (long c = 0; c < catches && handlers != 0 && budget-- > 0; c++) {
                addCode(code, code.readWord(handlers + c * 20 + 12, 4), out);
            }
        }
        return Optional.of(out);
    }

    private static void addCode(ImageCode code, long rva, Set<Long> out) {
        if (rva != 0 && code.isCode(rva)) {
            out.add(rva);
        }
    }

    /**
     * The RVA of the FuncInfo the .pdata entry {@code i} names as its handler data (x64 and ARM64: the first word
     * after the handler RVA), or 0 when it has no handler or the word is not a FuncInfo.
     */
    public static long funcInfoOf(ImageCode code, RuntimeFunctions table, int i) {
        long data = handlerDataOf(code, table, i);
        if (data < 0) {
            return 0;
        }
        long funcInfo = code.readWord(data, 4);
        return isFuncInfo(code, funcInfo) ? funcInfo : 0;
    }

    /** Where the handler data of .pdata entry {@code i} starts (x64, ARM64), or -1 when it has no handler. */
    public static long handlerDataOf(ImageCode code, RuntimeFunctions table, int i) {
        RuntimeFunction f = table.get(i);
        if (!f.hasHandler() || f.unwindRva() < 0) {
            return -1;
        }
        int trailer = -1;
        if (code.machine() == Machine.AMD64) {
            X64UnwindInfo info = table.x64UnwindInfo(i);
            trailer = info == null ? -1 : info.trailerOffset();
        } else if (code.machine() == Machine.ARM64) {
            Arm64XData x = table.arm64XData(i);
            trailer = x == null ? -1 : x.trailerOffset();
        }
        return trailer < 0 ? -1 : f.unwindRva() + trailer + 4;
    }

    /**
     * What the FuncInfo of the function entered at {@code entry} means for which exceptions it catches, in terms
     * that survive relinking: per try block, its state range and its catch clauses (adjectives, the caught type's
     * decorated name or "..." for catch-all, the catch object's frame offset). Empty when the function has no
     * FuncInfo. Two builds of a function whose code is the same but whose catch clauses differ differ here.
     */
    public static String catchSignature(ImageCode code, long entry) {
        RuntimeFunctions table = code.image().runtimeFunctions();
        int i = table.indexOf(entry);
        if (i < 0 || table.beginRva(i) != entry) {
            return "";
        }
        long info = funcInfoOf(code, table, i);
        if (info == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        long maxState = code.readWord(info + 4, 4);
        long tryBlocks = code.readWord(info + 12, 4);
        long tryMap = code.readWord(info + 16, 4);
        out.append("states ").append(maxState).append(", flags ").append(code.readWord(info + 36, 4));
        int budget = MAX_ENTRIES;
        for (long t = 0; t < tryBlocks && tryMap != 0 && budget-- > 0; t++) {
            long entryRva = tryMap + t * 20;
            out.append("; try ").append(code.readWord(entryRva, 4)).append('-').append(code.readWord(entryRva + 4, 4))
                    .append(" catch ").append(code.readWord(entryRva + 8, 4));
            long catches = code.readWord(entryRva + 12, 4);
            long handlers = code.readWord(entryRva + 16, 4);
            for (long c = 0; c < catches && handlers != 0 && budget-- > 0; c++) {
                long h = handlers + c * 20;
                long type = code.readWord(h + 4, 4);
                out.append(" [").append(code.readWord(h, 4)).append(' ')
                        .append(type == 0 ? "..." : typeName(code, type)).append(" at ")
                        .append(code.readWord(h + 8, 4)).append(']');
            }
        }
        return out.toString();
    }

    /** The decorated name of the 64-bit type descriptor at {@code rva} (after its vtable pointer and spare word). */
    static String typeName(ImageCode code, long rva) {
        byte[] b = new byte[ThrowInfos.MAX_NAME];
        code.read(rva + 16, b.length, b, 0);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
