package dev.hotpatch.differ.plan;

import java.util.Optional;

/**
 * What follows the handler RVA in an unwind record, for the language-specific handlers whose data can move into
 * a patch unchanged because it holds no addresses. Other handler data is refused by the caller: its tables (MSVC
 * FuncInfo, SEH scope tables, gcc LSDA type tables) hold image-relative addresses the patch writer does not
 * rebuild yet.
 */
final class HandlerData {
    private HandlerData() {}

    /**
     * The length of the movable handler data at the start of {@code data} (bytes of the new image right after the
     * handler RVA), or empty when this handler's data cannot be moved.
     *
     * <ul>
     * <li>MSVC {@code __GSHandlerCheck} (a /GS security cookie): GS_HANDLER_DATA, a 32-bit cookie offset whose
     *     low bit says whether an aligned-frame offset and an alignment (two more 32-bit words) follow. Frame
     *     offsets only.
     * <li>gcc {@code __gxx_personality_seh0} and {@code __gcc_personality_seh0}: the LSDA itself. Its call-site
     *     table counts from the function's start, so it moves with the function, as long as it has no type table
     *     (cleanups only: destructors, {@code __attribute__((cleanup))}); a type table points at type_info
     *     objects of the image.
     * </ul>
     */
    static Optional<Integer> movableLength(String handlerName, byte[] data) {
        String name = handlerName.substring(handlerName.indexOf('!') + 1);
        return switch (name) {
            case "__GSHandlerCheck" -> data.length < 4 ? Optional.empty() : Optional.of((data[0] & 1) != 0 ? 12 : 4);
            case "__gxx_personality_seh0", "__gcc_personality_seh0" -> cleanupOnlyLsda(data);
            default -> Optional.empty();
        };
    }

    /** The length of a gcc LSDA without landing-pad base or type table, or empty for any other LSDA. */
    private static Optional<Integer> cleanupOnlyLsda(byte[] d) {
        final int omit = 0xff;
        final int uleb128 = 0x01;
        final int udata4 = 0x03;
        try {
            Cursor c = new Cursor(d, 0);
            if (c.u8() != omit || c.u8() != omit) {
                return Optional.empty();
            }
            int callSiteEncoding = c.u8();
            if (callSiteEncoding != uleb128 && callSiteEncoding != udata4) {
                return Optional.empty();
            }
            long tableLength = c.uleb();
            int tableEnd = Math.addExact(c.pos, Math.toIntExact(tableLength));
            int end = tableEnd;
            while (c.pos < tableEnd) {
                for (int field = 0; field < 3; field++) {
                    if (callSiteEncoding == uleb128) {
                        c.uleb();
                    } else {
                        c.skip(4);
                    }
                }
                long action = c.uleb();
                if (action != 0) {
                    int chainEnd = actionChainEnd(d, Math.addExact(tableEnd, Math.toIntExact(action - 1)));
                    if (chainEnd < 0) {
                        return Optional.empty();
                    }
                    end = Math.max(end, chainEnd);
                }
            }
            return c.pos == tableEnd ? Optional.of(end) : Optional.empty();
        } catch (ArithmeticException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    /** Where the action chain starting at {@code at} ends, or -1 when an action names a type (a catch clause). */
    private static int actionChainEnd(byte[] d, int at) {
        int end = 0;
        for (int steps = 0; steps < 256; steps++) {
            Cursor c = new Cursor(d, at);
            if (c.sleb() != 0) {
                return -1;
            }
            int dispAt = c.pos;
            long disp = c.sleb();
            end = Math.max(end, c.pos);
            if (disp == 0) {
                return end;
            }
            at = Math.addExact(dispAt, Math.toIntExact(disp));
        }
        return -1;
    }

    private static final class Cursor {
        final byte[] d;
        int pos;

        Cursor(byte[] d, int pos) {
            this.d = d;
            this.pos = pos;
        }

        int u8() {
            if (pos < 0 || pos >= d.length) {
                throw new IndexOutOfBoundsException(pos);
            }
            return d[pos++] & 0xff;
        }

        void skip(int n) {
            pos = Math.addExact(pos, n);
            if (pos > d.length) {
                throw new IndexOutOfBoundsException(pos);
            }
        }

        long uleb() {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new ArithmeticException("uleb128 too long");
        }

        long sleb() {
            long v = 0;
            int shift = 0;
            int b;
            do {
                if (shift > 56) {
                    throw new ArithmeticException("sleb128 too long");
                }
                b = u8();
                v |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            return shift < 64 && (b & 0x40) != 0 ? v | -1L << shift : v;
        }
    }
}
