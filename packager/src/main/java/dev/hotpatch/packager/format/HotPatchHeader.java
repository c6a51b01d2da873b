package dev.hotpatch.packager.format;

/**
 * HPATCH_HEADER's own facts: sequence, the sequence it supersedes, and flags. The layout fields (Size, the
 * tables' offsets and counts) are not part of the model: the writer computes them, the reader checks them.
 *
 * @param sequenceNumber    this patch's sequence number (at least 1)
 * @param minSequenceNumber the lowest sequence number this patch supersedes (at most sequenceNumber)
 * @param flags             {@link #OBLIGATORY}, {@link #CAN_ROLL_BACK}, one MACHINE_* bit, {@link #CUMULATIVE}
 */
public record HotPatchHeader(long sequenceNumber, long minSequenceNumber, int flags) {

    /** 'HPAT' read as a little-endian u32. */
    public static final int MAGIC = 0x5441_5048;
    public static final int FORMAT_VERSION = 1;
    /** HeaderSize of format version 1. */
    public static final int HEADER_SIZE = 64;

    public static final int OBLIGATORY = 0x1;
    public static final int CAN_ROLL_BACK = 0x2;
    public static final int MACHINE_I386 = 0x4;
    public static final int MACHINE_ARM64 = 0x8;
    public static final int MACHINE_AMD64 = 0x10;
    public static final int CUMULATIVE = 0x20;
    public static final int MACHINE_MASK = MACHINE_I386 | MACHINE_ARM64 | MACHINE_AMD64;
    /** Every bit format version 1 defines; any other bit makes the tables invalid. */
    public static final int KNOWN_FLAGS = OBLIGATORY | CAN_ROLL_BACK | MACHINE_MASK | CUMULATIVE;

    public HotPatchHeader {
        Fields.u32(sequenceNumber, "sequenceNumber");
        Fields.u32(minSequenceNumber, "minSequenceNumber");
    }

    public boolean obligatory() { return (flags & OBLIGATORY) != 0; }

    public boolean canRollBack() { return (flags & CAN_ROLL_BACK) != 0; }

    public boolean cumulative() { return (flags & CUMULATIVE) != 0; }

    /** The MACHINE_* flag bit for a COFF machine code, or 0 for a machine the format does not cover. */
    public static int machineFlag(int machine) {
        return switch (machine) {
            case HotPatchBase.MACHINE_I386 -> MACHINE_I386;
            case HotPatchBase.MACHINE_AMD64 -> MACHINE_AMD64;
            case HotPatchBase.MACHINE_ARM64 -> MACHINE_ARM64;
            default -> 0;
        };
    }
}
