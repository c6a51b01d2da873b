package dev.hotpatch.pe;

import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the exception directory (.pdata) into {@link RuntimeFunctions}: x64 RUNTIME_FUNCTION entries with their
 * UNWIND_INFO, or ARM64 entries with packed unwind data or .xdata. x86 images have no function table. The count
 * is checked against the file and {@link Limits#MAX_RUNTIME_FUNCTIONS} before anything is allocated, and the
 * table is parsed in runs of {@link Runs#RUN_LENGTH} entries so that only one run's parser objects live at a
 * time.
 */
final class ExceptionDirectoryReader {
    /** Bytes per entry; pinned against the .ksy layouts by a unit test. */
    static final int X64_ENTRY_SIZE = 12;
    static final int ARM64_ENTRY_SIZE = 8;
    private static final DirectoryKind KIND = DirectoryKind.EXCEPTION;

    private final StepInput in;

    ExceptionDirectoryReader(StepInput in) {
        this.in = in;
    }

    RuntimeFunctions read() throws PeFormatException {
        Optional<DataDirectory> found = in.directory(KIND);
        if (found.isEmpty()) {
            return RuntimeFunctions.empty();
        }
        DataDirectory dir = found.get();
        Machine machine = in.machine();
        int entrySize;
        if (machine == Machine.AMD64) {
            entrySize = X64_ENTRY_SIZE;
        } else if (machine == Machine.ARM64) {
            entrySize = ARM64_ENTRY_SIZE;
        } else {
            in.warn("the exception directory of this " + machine.shortName() + " image is not read: only x64 and"
                    + " ARM64 function tables are supported" + (machine == Machine.I386 ? " (x86 has none)" : ""));
            return RuntimeFunctions.empty();
        }
        String structure = StepInput.directoryName(KIND);
        if (dir.size() % entrySize != 0) {
            in.warn(structure + ".len " + hex(dir.size()) + " is not a multiple of the " + entrySize
                    + "-byte entry size; the last " + dir.size() % entrySize + " bytes are ignored");
        }
        long count = dir.size() / entrySize;
        Checks.atMost(count, Limits.MAX_RUNTIME_FUNCTIONS, "MAX_RUNTIME_FUNCTIONS", structure, "len",
                () -> in.directoryFieldOffset(KIND, "len"));
        long tableOffset = in.map.requireFileOffset(dir.address(), count * entrySize, structure, "rva",
                () -> in.directoryFieldOffset(KIND, "rva"));
        RuntimeFunctions.Builder out = new RuntimeFunctions.Builder((int) count);
        UnwindDetails details = new UnwindDetails(in.bytes, in.map);
        if (entrySize == X64_ENTRY_SIZE) {
            new X64FunctionTableReader(in, details, out, (int) count).read(tableOffset, (int) count);
        } else {
            new Arm64FunctionTableReader(in, details, out, (int) count).read(tableOffset, (int) count);
        }
        RuntimeFunctions functions = out.build(details);
        if (!functions.isSorted()) {
            in.warn("the exception directory's entries are not sorted by address or overlap; the loader's binary"
                    + " search will miss some functions");
        }
        return functions;
    }

    /**
     * Why [begin, end) cannot be a function's range in this image, or null when it can. An empty range is
     * allowed (GNU ld keeps entries for empty functions) and warned about by {@link #warnIfEmpty}.
     */
    static String badRange(StepInput in, long begin, long end) {
        if (end < begin) {
            return "an end at or above the begin RVA " + hex(begin);
        }
        if (end > in.sizeOfImage()) {
            return "an end at most SizeOfImage (" + hex(in.sizeOfImage()) + ")";
        }
        return null;
    }

    static void warnIfEmpty(StepInput in, long index, long begin, long end) {
        if (begin == end) {
            in.warnRepeated("empty runtime_function", entryName(index) + " at RVA " + hex(begin)
                    + " covers no bytes (begin equals end)");
        }
    }

    /** Why a handler RVA cannot be right, or null when it can. */
    static String badHandler(StepInput in, long rva) {
        return rva < in.sizeOfImage() ? null : "an RVA below SizeOfImage (" + hex(in.sizeOfImage()) + ")";
    }

    static String entryName(long index) {
        return "runtime_function[" + index + "]";
    }
}
