package dev.hotpatch.differ.plan;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.pe.Arm64XData;
import dev.hotpatch.pe.RuntimeFunction;
import dev.hotpatch.pe.RuntimeFunctions;
import dev.hotpatch.pe.UnwindForm;
import dev.hotpatch.pe.X64UnwindInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Collects the exception-directory entries of a carried function from the new image (x64 and ARM64; x86 images
 * have none): every entry that begins inside one of its ranges, with its unwind record and the handler the
 * record names, so that the patch can carry its own .pdata and .xdata.
 */
final class UnwindPlanner {
    /** How much handler data we look at; the handlers whose data we move use far less. */
    private static final int HANDLER_DATA_WINDOW = 4096;

    private final ImageCode code;
    private final RuntimeFunctions table;
    private final LongFunction<Target> codeTarget;
    private final LongFunction<String> codeName;

    /**
     * @param codeTarget where a code address of the new image leads once the patch is applied
     * @param codeName   a name for a code address of the new image (the handler's, for messages and to know its data)
     */
    UnwindPlanner(ImageCode newCode, LongFunction<Target> codeTarget, LongFunction<String> codeName) {
        this.code = newCode;
        this.table = newCode.image().runtimeFunctions();
        this.codeTarget = codeTarget;
        this.codeName = codeName;
    }

    List<UnwindEntry> entries(List<long[]> ranges) {
        List<UnwindEntry> out = new ArrayList<>();
        for (long[] r : ranges) {
            if (table.isSorted()) {
                for (int i = firstAtOrAfter(r[0]); i < table.size() && table.beginRva(i) < r[1]; i++) {
                    out.add(entry(i, r[1]));
                }
            } else {
                for (int i = 0; i < table.size(); i++) {
                    if (table.beginRva(i) >= r[0] && table.beginRva(i) < r[1]) {
                        out.add(entry(i, r[1]));
                    }
                }
            }
        }
        return out;
    }

    private UnwindEntry entry(int i, long rangeEnd) {
        RuntimeFunction rf = table.get(i);
        long end = Math.min(rf.endRva(), rangeEnd);
        if (rf.form() == UnwindForm.X64) {
            X64UnwindInfo info = table.x64UnwindInfo(i);
            long[] chained = info.isChained()
                    ? new long[] {info.chained().beginRva(), info.chained().endRva(), info.chained().unwindRva()} : null;
            return withHandler(rf.beginRva(), end, info.rva(), info.length(), chained, info.handlerRva());
        }
        if (rf.form() == UnwindForm.ARM64_PACKED) {
            return new UnwindEntry(rf.beginRva(), end, table.arm64PackedWord(i), null, -1, null, null, new byte[0]);
        }
        Arm64XData x = table.arm64XData(i);
        return withHandler(rf.beginRva(), end, x.rva(), x.length(), null, x.handlerRva());
    }

    /** The entry with its record copied; the handler resolved and its data measured, or refused by name. */
    private UnwindEntry withHandler(long begin, long end, long unwindRva, int length, long[] chained, long handlerRva) {
        byte[] record = new byte[length];
        code.read(unwindRva, length, record, 0);
        if (handlerRva < 0 || chained != null) {
            return new UnwindEntry(begin, end, 0, record, unwindRva, chained, null, new byte[0]);
        }
        String name = codeName.apply(handlerRva);
        byte[] window = new byte[HANDLER_DATA_WINDOW];
        code.read(unwindRva + length, window.length, window, 0);
        Optional<Integer> dataLength = HandlerData.movableLength(name, window);
        if (dataLength.isEmpty()) {
            return new UnwindEntry(begin, end, 0, record, unwindRva, null, new Target.Unresolved(
                    "the exception handler `" + name + "`, whose tables this version of the patch writer cannot "
                            + "move into a patch"), new byte[0]);
        }
        byte[] data = Arrays.copyOf(window, dataLength.get());
        return new UnwindEntry(begin, end, 0, record, unwindRva, null, codeTarget.apply(handlerRva), data);
    }

    /** The first entry of the sorted table that begins at or after {@code rva}. */
    private int firstAtOrAfter(long rva) {
        int lo = 0;
        int hi = table.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (table.beginRva(mid) < rva) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
