package dev.hotpatch.differ.disasm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.Optional;

/**
 * Our thin binding to Capstone 4.0.2: one {@code cs_disasm} call per chunk of up to 4 KB, instructions read
 * from native memory through a reused {@link Instruction} view, undecodable bytes skipped and reported. A
 * Capstone handle must not be shared between threads: use one Disassembler per thread.
 */
public final class Disassembler implements AutoCloseable {
    private static final int CHUNK = 4096;
    private static final CapstoneNative CS = CapstoneLibrary.INSTANCE.bound;

    /** Loads Capstone once; remembers why it could not be loaded instead of failing the class. */
    private enum CapstoneLibrary {
        INSTANCE;
        final CapstoneNative bound;
        final String missing;

        CapstoneLibrary() {
            CapstoneNative n = null;
            String why = null;
            try {
                n = CapstoneNative.load();
            } catch (UnsatisfiedLinkError e) {
                why = e.getMessage();
            }
            this.bound = n;
            this.missing = why;
        }
    }

    /**
     * Why Capstone cannot be used here (one sentence naming the Debian package), or empty when it can. Only the
     * rendering of instructions needs it; the diff itself decodes with its own decoders.
     */
    public static Optional<String> unavailable() {
        return Optional.ofNullable(CapstoneLibrary.INSTANCE.missing);
    }

    /** Receives the instructions of a run in address order. */
    public interface Visitor {
        void instruction(Instruction insn);

        /** A byte (x86) or word (ARM64) at this address that does not decode; it is skipped. */
        default void undecodable(long address, int length) {}
    }

    private final Isa isa;
    private final long handle;
    private final Memory code = new Memory(CHUNK);
    private final Instruction view;
    private boolean closed;

    /** @throws IllegalStateException when Capstone is not installed; check {@link #unavailable()} first */
    public Disassembler(Isa isa) {
        if (CS == null) {
            throw new IllegalStateException(CapstoneLibrary.INSTANCE.missing);
        }
        this.isa = isa;
        LongByReference h = new LongByReference();
        check(CS.cs_open(isa.arch, isa.mode, h), "cs_open");
        this.handle = h.getValue();
        check(CS.cs_option(handle, CapstoneNative.CS_OPT_DETAIL, CapstoneNative.CS_OPT_ON), "cs_option");
        this.view = new Instruction(isa);
    }

    /** Disassembles {@code length} bytes of {@code bytes} from {@code offset}, the first at {@code address}. */
    public void disassemble(byte[] bytes, int offset, int length, long address, Visitor visitor) {
        if (closed) {
            throw new IllegalStateException("disassembler is closed");
        }
        int pos = 0;
        PointerByReference out = new PointerByReference();
        while (pos < length) {
            int chunk = Math.min(CHUNK, length - pos);
            code.write(0, bytes, offset + pos, chunk);
            long count = CS.cs_disasm(handle, code, chunk, address + pos, 0, out);
            int consumed = 0;
            if (count > 0) {
                Pointer insns = out.getValue();
                try {
                    for (long i = 0; i < count; i++) {
                        view.moveTo(insns.share(i * CsLayout.INSN_SIZE));
                        visitor.instruction(view);
                        consumed += view.size();
                    }
                } finally {
                    CS.cs_free(insns, count);
                }
            }
            if (consumed == 0) {
                // Chunks hold at least 16 bytes unless they are the last, so nothing decodes here.
                int skip = Math.min(isa.skip, length - pos);
                visitor.undecodable(address + pos, skip);
                consumed = skip;
            }
            pos += consumed;
        }
    }

    /** Capstone's version as major * 256 + minor. */
    public static int capstoneVersion() {
        if (CS == null) {
            throw new IllegalStateException(CapstoneLibrary.INSTANCE.missing);
        }
        return CS.cs_version(null, null);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CS.cs_close(new LongByReference(handle));
            code.close();
        }
    }

    private static void check(int err, String call) {
        if (err != 0) {
            throw new IllegalStateException(call + " failed with Capstone error " + err);
        }
    }
}
