package dev.hotpatch.pe;

import java.util.List;

/**
 * An x64 UNWIND_INFO read in full, for the functions whose prolog or frame a caller needs to know.
 *
 * @param rva              where it is
 * @param version          1, or 2 with epilog codes
 * @param flags            {@link #EHANDLER}, {@link #UHANDLER}, {@link #CHAININFO}
 * @param prologSize       SizeOfProlog in bytes
 * @param frameRegister    FrameRegister (0 when the function has no frame pointer)
 * @param frameOffset      FrameOffset, already scaled: bytes from RSP
 * @param codes            the unwind code slots in order (an operation may use the next one or two slots)
 * @param chained          the chained RUNTIME_FUNCTION when {@link #CHAININFO} is set, else null
 * @param handlerRva       the exception handler RVA when EHANDLER or UHANDLER is set, else -1
 */
public record X64UnwindInfo(long rva, int version, int flags, int prologSize, int frameRegister, int frameOffset,
                            List<Code> codes, ChainedFunction chained, long handlerRva) {

    public static final int EHANDLER = 1;
    public static final int UHANDLER = 2;
    public static final int CHAININFO = 4;

    public X64UnwindInfo {
        codes = List.copyOf(codes);
    }

    /** One UNWIND_CODE slot; {@code value} is the slot as one 16-bit number, for operand slots. */
    public record Code(int offsetInProlog, int operation, int operationInfo, int value) {}

    /** The RUNTIME_FUNCTION a chained unwind info names. */
    public record ChainedFunction(long beginRva, long endRva, long unwindRva) {}

    public boolean isChained() {
        return (flags & CHAININFO) != 0;
    }

    /** Bytes from the record's start to what follows the codes (the handler RVA or the chained function). */
    public int trailerOffset() {
        return 4 + ((codes.size() * 2 + 3) & ~3);
    }

    /** Bytes of the record through the chained function or the handler RVA (handler data not counted). */
    public int length() {
        return trailerOffset() + (isChained() ? 12 : handlerRva >= 0 ? 4 : 0);
    }
}
