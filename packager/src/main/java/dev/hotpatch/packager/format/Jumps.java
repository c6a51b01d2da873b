package dev.hotpatch.packager.format;

import dev.hotpatch.pe.Machine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The jumps a patch image and an apply engine write (docs/format.md, section 5): the direct jump of a trampoline
 * or a stub, the indirect jump of an import thunk, and the 2-byte hop. One place for their encodings, so the
 * writer (which leaves fields for fixups) and the engine (which fills them) cannot drift apart.
 */
public final class Jumps {
    private Jumps() {}

    /** x86/x64 {@code jmp short -7}: the hop at a function's entry, back to the jump in the 5 bytes before it. */
    private static final byte[] HOP = {(byte) 0xEB, (byte) 0xF9};

    /** Bytes of a direct jump: x86/x64 {@code E9 rel32}, ARM64 {@code B}. */
    public static int directSize(Machine machine) {
        return machine == Machine.ARM64 ? 4 : 5;
    }

    /** Bytes of an indirect jump: x86/x64 {@code FF 25}, ARM64 {@code adrp x16; ldr x16, [x16]; br x16}. */
    public static int indirectSize(Machine machine) {
        return machine == Machine.ARM64 ? 12 : 6;
    }

    /** A direct jump at {@code at} of a little-endian buffer, from address {@code site} to {@code target}. */
    public static void direct(Machine machine, ByteBuffer b, int at, long site, long target) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (machine == Machine.ARM64) {
            b.putInt(at, Arm64Fields.branch26(0x14000000, target - site));
        } else {
            b.put(at, (byte) 0xE9);
            b.putInt(at + 1, (int) (target - (site + 5)));
        }
    }

    /** A direct jump whose target field a fixup fills: the instruction with a zero field. */
    public static void directForFixup(Machine machine, ByteBuffer b, int at, long site) {
        direct(machine, b, at, site, machine == Machine.ARM64 ? site : site + 5);
    }

    /**
     * A jump through the pointer slot at {@code slot}: x64 {@code jmp [rip + rel32]}, x86 {@code jmp [abs32]} (the
     * caller relocates the absolute field), ARM64 {@code adrp x16, slot; ldr x16, [x16, lo12]; br x16}.
     */
    public static void indirect(Machine machine, ByteBuffer b, int at, long site, long slot) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (machine == Machine.ARM64) {
            b.putInt(at, Arm64Fields.adrp(0x90000010, site, slot));
            b.putInt(at + 4, Arm64Fields.lo12(0xF9400210, slot, 3));
            b.putInt(at + 8, 0xD61F0200);
        } else {
            b.put(at, (byte) 0xFF);
            b.put(at + 1, (byte) 0x25);
            b.putInt(at + 2, (int) (machine == Machine.AMD64 ? slot - (site + 6) : slot));
        }
    }

    /** An indirect jump whose slot fields a fixup fills (REL32 at +2 on x64, ADRP+LDR on ARM64): zero fields. */
    public static void indirectForFixup(Machine machine, ByteBuffer b, int at, long site) {
        indirect(machine, b, at, site, machine == Machine.ARM64 ? site & ~0xFFFL : site + 6);
    }

    /** The hop's 2 bytes at a function's entry (x86, x64), after a direct jump in the 5 bytes before it. */
    public static void hop(ByteBuffer b, int at) {
        b.put(at, HOP[0]);
        b.put(at + 1, HOP[1]);
    }
}
