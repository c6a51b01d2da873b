package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.Arm64ExceptionTable;
import dev.hotpatch.kaitai.layout.bulk.Arm64Xdata;

import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static dev.hotpatch.pe.ExceptionDirectoryReader.ARM64_ENTRY_SIZE;
import static dev.hotpatch.pe.ExceptionDirectoryReader.entryName;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Walks an ARM64 function table. Packed entries carry everything in the entry; each distinct .xdata record is
 * parsed once (header, first unwind code and handler RVA) and cached by RVA. A fragment is an entry with packed
 * Flag 2, or one whose .xdata unwind codes begin with end_c: the Microsoft ARM64 exception-handling document
 * encodes regions without a prolog of their own (epilog-only regions, regions with neither, and every part of a
 * large function after the first) with a "phantom" prolog that starts with end_c. ARM64 unwind data does not
 * name the parent function, so a fragment's primary begin RVA is unknown (-1).
 */
final class Arm64FunctionTableReader {
    private static final int NONE = -1;

    private final StepInput in;
    private final UnwindDetails details;
    private final RuntimeFunctions.Builder out;
    private final IntIntMap slotByRva;
    private int slots;
    private long zeros;   // all-zero entries (padding), skipped
    private int[] length = new int[64];
    private int[] handler = new int[64];
    private boolean[] fragment = new boolean[64];

    Arm64FunctionTableReader(StepInput in, UnwindDetails details, RuntimeFunctions.Builder out, int count) {
        this.slotByRva = new IntIntMap(count);
        this.in = in;
        this.details = details;
        this.out = out;
    }

    void read(long tableOffset, int count) throws PeFormatException {
        Runs.parse(in.bytes, "arm64_exception_table", tableOffset, count, ARM64_ENTRY_SIZE, Arm64ExceptionTable::new,
                (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        Arm64ExceptionTable.RuntimeFunction e = run.entries().get(j);
                        if (e.rvaBegin() == 0 && e.flag() == 0 && e.rvaXdataShr2() == 0) {
                            zeros++;
                            continue;
                        }
                        entry(first + j, e, runOffset + (long) j * ARM64_ENTRY_SIZE);
                    }
                });
        if (zeros > 0) {
            in.warn("the exception directory holds " + zeros + " all-zero runtime_function entries (padding);"
                    + " they are skipped");
        }
    }

    /** File offset of a field of the entry at {@code entryOffset}, for messages. */
    private long entryField(long entryOffset, String field) {
        return KaitaiParse.locate(in.bytes, entryOffset, ARM64_ENTRY_SIZE,
                dev.hotpatch.kaitai.layout.Arm64ExceptionTable.RuntimeFunction::new, field);
    }

    private void entry(long index, Arm64ExceptionTable.RuntimeFunction e, long entryOffset)
            throws PeFormatException {
        long begin = e.rvaBegin();
        if (e.flag() == 3) {
            throw new PeFormatException(entryName(index), "flag", entryField(entryOffset, "flag"),
                    "0 (.xdata RVA), 1 or 2 (packed unwind data)", "3 (reserved)");
        }
        if (e.isPacked()) {
            long end = begin + e.lenFunction();
            String problem = ExceptionDirectoryReader.badRange(in, begin, end);
            if (problem != null) {
                throw new PeFormatException(entryName(index), "function_length",
                        entryField(entryOffset, "function_length"), problem, hex(end) + " (begin + "
                        + hex(e.lenFunction()) + ")");
            }
            ExceptionDirectoryReader.warnIfEmpty(in, index, begin, end);
            // The unwind slot of a packed entry keeps the entry's file offset, to read it again on demand.
            boolean isFragment = e.isPackedFragment();
            out.add(begin, end, entryOffset, UnwindForm.ARM64_PACKED, isFragment, isFragment ? NONE : begin, NONE);
            return;
        }
        long xdataRva = e.rvaXdata();
        int slot = slotByRva.get((int) xdataRva);
        if (slot < 0) {
            slot = summary(xdataRva, () -> entryName(index), () -> entryField(entryOffset, "rva_xdata_shr2"));
        }
        long end = begin + length[slot];
        String problem = ExceptionDirectoryReader.badRange(in, begin, end);
        if (problem != null) {
            long offset = details.fileOffset(xdataRva);
            throw new PeFormatException(entryName(index) + ".xdata", "function_length",
                    KaitaiParse.locate(in.bytes, offset, UnwindDetails.VIEW_LIMIT,
                            dev.hotpatch.kaitai.layout.Arm64Xdata::new, "function_length"),
                    problem, hex(end) + " (begin " + hex(begin) + " + " + hex(length[slot]) + ")");
        }
        ExceptionDirectoryReader.warnIfEmpty(in, index, begin, end);
        out.add(begin, end, xdataRva, UnwindForm.ARM64_XDATA, fragment[slot], fragment[slot] ? NONE : begin,
                handler[slot]);
    }

    private int summary(long xdataRva, Supplier<String> holder, LongSupplier fieldOffset) throws PeFormatException {
        Arm64Xdata x = details.openArm64XData(xdataRva, holder, "rva_xdata_shr2", fieldOffset);
        long offset = details.fileOffset(xdataRva);
        int handlerRva = NONE;
        if (x.hasExceptionData()) {
            long h = x.rvaExceptionHandler();                              // inside the checked extent
            String problem = ExceptionDirectoryReader.badHandler(in, h);
            if (problem != null) {
                throw new PeFormatException(holder.get() + ".xdata", "rva_exception_handler",
                        KaitaiParse.locate(in.bytes, offset, x.lenXdata(), dev.hotpatch.kaitai.layout.Arm64Xdata::new,
                                "rva_exception_handler"), problem, hex(h));
            }
            handlerRva = (int) h;
        }
        boolean isFragment = x.lenUnwindCodes() > 0 && x.firstUnwindCode() == Arm64XData.END_C;
        if (slots == length.length) {
            length = Arrays.copyOf(length, slots * 2);
            handler = Arrays.copyOf(handler, slots * 2);
            fragment = Arrays.copyOf(fragment, slots * 2);
        }
        length[slots] = x.lenFunction();
        handler[slots] = handlerRva;
        fragment[slots] = isFragment;
        slotByRva.put((int) xdataRva, slots);
        return slots++;
    }
}
