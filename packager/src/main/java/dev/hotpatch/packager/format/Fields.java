package dev.hotpatch.packager.format;

/** Range checks the table records apply to their components (programming errors, not malformed input). */
final class Fields {
    private Fields() {}

    static final long U32_MAX = 0xFFFF_FFFFL;

    static long u32(long value, String name) {
        if (value < 0 || value > U32_MAX) {
            throw new IllegalArgumentException(name + " must fit in 32 bits unsigned, was 0x" + Long.toHexString(value));
        }
        return value;
    }

    static int range(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    static String name(String value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null (use \"\" for no name)");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain NUL: " + value.replace('\0', '?'));
        }
        if (!java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
            throw new IllegalArgumentException(what + " is not well-formed Unicode (an unpaired surrogate): " + value);
        }
        return value;
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
