package dev.hotpatch.pe;

import java.util.HexFormat;
import java.util.Locale;

/**
 * GUIDs as the debug directory's CodeView (RSDS) record and a PDB's info stream hold them: Data1 (u4), Data2 and
 * Data3 (u2, all three little-endian in the file) and Data4 (8 bytes). One formatting for both, so that
 * {@link CodeViewInfo#guid()} and {@code PdbFile.guid()} compare with {@code equals}.
 */
public final class Guids {
    private Guids() {}

    /** The registry form in lower case: {@code {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}}. */
    public static String format(long data1, int data2, int data3, byte[] data4) {
        HexFormat hex = HexFormat.of();
        return String.format(Locale.ROOT, "{%08x-%04x-%04x-%s-%s}", data1, data2, data3,
                hex.formatHex(data4, 0, 2), hex.formatHex(data4, 2, 8));
    }

    /** The 16 bytes as stored: Data1, Data2 and Data3 little-endian, then Data4. */
    public static byte[] bytes(long data1, int data2, int data3, byte[] data4) {
        byte[] out = new byte[16];
        putLe(out, 0, data1, 4);
        putLe(out, 4, data2, 2);
        putLe(out, 6, data3, 2);
        System.arraycopy(data4, 0, out, 8, 8);
        return out;
    }

    private static void putLe(byte[] out, int at, long value, int len) {
        for (int i = 0; i < len; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
