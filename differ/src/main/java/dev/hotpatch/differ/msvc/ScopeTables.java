package dev.hotpatch.differ.msvc;

import dev.hotpatch.differ.code.ImageCode;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SEH scope table that {@code __C_specific_handler} reads as its handler data (x64 and ARM64): a count, then
 * per {@code __try} {BeginAddress, EndAddress, HandlerAddress, JumpTarget} RVAs. HandlerAddress is 1
 * (EXCEPTION_EXECUTE_HANDLER) or the filter funclet of an {@code __except}, or the termination funclet of a
 * {@code __finally} (JumpTarget 0). The table is recognised by its shape alone, against the function it belongs
 * to, since nothing else names the handler: every try range lies inside the function, every jump target too.
 */
public final class ScopeTables {
    private ScopeTables() {}

    /** More scopes than this in one function is not a scope table. */
    public static final int MAX_SCOPES = 1024;

    /**
     * The funclets (filter and termination handlers outside [begin, end)) the scope table at {@code rva} names, or
     * empty when the bytes there are not a scope table of the function [begin, end).
     */
    public static Optional<Set<Long>> funclets(ImageCode code, long rva, long begin, long end) {
        long count = code.readWord(rva, 4);
        if (count < 1 || count > MAX_SCOPES) {
            return Optional.empty();
        }
        Set<Long> out = new TreeSet<>();
        for (long i = 0; i < count; i++) {
            long e = rva + 4 + i * 16;
            long tryBegin = code.readWord(e, 4);
            long tryEnd = code.readWord(e + 4, 4);
            long handler = code.readWord(e + 8, 4);
            long jump = code.readWord(e + 12, 4);
            if (tryBegin < begin || tryEnd > end || tryBegin >= tryEnd || jump != 0 && (jump < begin || jump > end)) {
                return Optional.empty();
            }
            if (handler > 1) {
                if (!code.isCode(handler)) {
                    return Optional.empty();
                }
                if (handler < begin || handler >= end) {
                    out.add(handler);
                }
            }
        }
        return Optional.of(out);
    }
}
