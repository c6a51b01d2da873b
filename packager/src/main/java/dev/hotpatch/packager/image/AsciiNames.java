package dev.hotpatch.packager.image;

import java.nio.charset.StandardCharsets;

/** DLL and function names as import and export tables hold them: printable ASCII, NUL-terminated. */
final class AsciiNames {
    /** The longest name accepted (Windows' own limit for a symbol name is far below this). */
    static final int MAX_LENGTH = 4096;

    private AsciiNames() {}

    static String check(String what, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_LENGTH + " characters, not "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(String.format(
                        "%s \"%s\" holds character U+%04X at index %d; only printable ASCII is written", what, name,
                        (int) c, i));
            }
        }
        return name;
    }

    /** The name's bytes followed by a NUL. */
    static byte[] terminated(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        return out;
    }
}
