package dev.hotpatch.pdb;

/**
 * Sizes of CodeView primitive types: type indices below 0x1000, which have no record. Bits 0-7 name the
 * kind of value and bits 8-11 the mode: 0 the value itself, 4 a 32-bit pointer to it, 6 a 64-bit pointer.
 * {@code T_INT4} (0x74) is 4 bytes, {@code T_CHAR} (0x10) 1, {@code T_REAL64} (0x41) 8, {@code T_64PVOID}
 * (0x603) 8.
 */
final class PrimitiveTypes {
    private PrimitiveTypes() {}

    static final int FIRST_RECORD_INDEX = 0x1000;
    private static final int MODE_DIRECT = 0;
    private static final int MODE_NEAR32 = 4;
    private static final int MODE_NEAR64 = 6;

    /** The size in bytes of a primitive type index, or -1 when it is not one or has no size (void, notype). */
    static long size(long typeIndex) {
        if (typeIndex < 0 || typeIndex >= FIRST_RECORD_INDEX) {
            return -1;
        }
        int mode = (int) (typeIndex >> 8) & 0xf;
        int kind = (int) typeIndex & 0xff;
        return switch (mode) {
            case MODE_DIRECT -> direct(kind);
            case MODE_NEAR32 -> 4;
            case MODE_NEAR64 -> 8;
            default -> -1;   // 16-bit near/far/huge, far32 and 128-bit pointers: not in images we patch
        };
    }

    private static long direct(int kind) {
        return switch (kind) {
            case 0x10, 0x20, 0x30, 0x68, 0x69, 0x70, 0x7c -> 1;    // char, uchar, bool8, int8, uint8, rchar, char8
            case 0x11, 0x21, 0x31, 0x46, 0x71, 0x72, 0x73, 0x7a -> 2;   // short, ushort, bool16, real16, wchar,
                                                                        // int16, uint16, char16
            case 0x08, 0x12, 0x22, 0x32, 0x40, 0x45, 0x56, 0x74, 0x75, 0x7b -> 4;   // hresult, long, ulong,
                                                                    // bool32, real32, real32pp, complex16,
                                                                    // int32, uint32, char32
            case 0x44 -> 6;                                         // real48
            case 0x04, 0x13, 0x23, 0x33, 0x41, 0x50, 0x55, 0x76, 0x77 -> 8;   // currency, quad, uquad, bool64,
                                                                    // real64, complex32, complex32pp, int64,
                                                                    // uint64
            case 0x42 -> 10;                                        // real80
            case 0x54 -> 12;                                        // complex48
            case 0x14, 0x24, 0x34, 0x43, 0x51, 0x78, 0x79 -> 16;    // oct, uoct, bool128, real128, complex64,
                                                                    // int128, uint128
            case 0x52 -> 20;                                        // complex80
            case 0x53 -> 32;                                        // complex128
            default -> -1;                                          // notype, void, abs, segment, ...
        };
    }
}
