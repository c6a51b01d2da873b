package dev.hotpatch.differ.plan;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which handler data moves into a patch unchanged, and how long it is. */
class HandlerDataTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length + 16];          // what follows the data in the image: unrelated bytes
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        java.util.Arrays.fill(b, v.length, b.length, (byte) 0x5a);
        return b;
    }

    @Test
    void gsCookieDataIsOneWordOrThreeWithAnAlignedFrame() {
        assertEquals(Optional.of(4), HandlerData.movableLength("__GSHandlerCheck", bytes(0x20, 0, 0, 0)));
        assertEquals(Optional.of(12), HandlerData.movableLength("__GSHandlerCheck", bytes(0x21, 0, 0, 0)));
    }

    @Test
    void aCleanupOnlyLsdaEndsAfterItsActionTable() {
        // no LPStart, no type table, uleb128 call sites: one site (0x4, 0x5, pad 0xf, action 1), action (0, 0)
        byte[] lsda = bytes(0xff, 0xff, 0x01, 0x04, 0x04, 0x05, 0x0f, 0x01, 0x00, 0x00);
        assertEquals(Optional.of(10), HandlerData.movableLength("__gxx_personality_seh0", lsda));
        byte[] noActions = bytes(0xff, 0xff, 0x01, 0x04, 0x04, 0x05, 0x0f, 0x00);
        assertEquals(Optional.of(8), HandlerData.movableLength("__gxx_personality_seh0", noActions));
    }

    @Test
    void anLsdaWithATypeTableOrACatchIsNotMoved() {
        // the LSDA of mingw's pipeline::guarded (catch (const Failure &)): type table pcrel|indirect|sdata4
        byte[] withTypes = bytes(0xff, 0x9b, 0x11, 0x01, 0x08, 0x04, 0x05, 0x0f, 0x01, 0x30, 0x06, 0x00, 0x00,
                0x01, 0x00, 0x00, 0x00, 0x58, 0x9f, 0xff, 0xff);
        assertEquals(Optional.empty(), HandlerData.movableLength("__gxx_personality_seh0", withTypes));
        byte[] catchWithoutTable = bytes(0xff, 0xff, 0x01, 0x04, 0x04, 0x05, 0x0f, 0x01, 0x01, 0x00);
        assertEquals(Optional.empty(), HandlerData.movableLength("__gxx_personality_seh0", catchWithoutTable));
    }

    @Test
    void truncatedOrUnknownDataIsNotMoved() {
        assertEquals(Optional.empty(), HandlerData.movableLength("__gxx_personality_seh0", new byte[] {(byte) 0xff, (byte) 0xff, 1, 9}));
        assertEquals(Optional.empty(), HandlerData.movableLength("__CxxFrameHandler4", bytes(1, 2, 3, 4)));
        assertEquals(Optional.empty(), HandlerData.movableLength("vcruntime140.dll!__C_specific_handler", bytes(1, 0, 0, 0)));
    }
}
