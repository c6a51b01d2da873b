package dev.hotpatch.differ.msvc;

import dev.hotpatch.differ.code.ImageCode;

import java.util.Map;

/**
 * Recognises what a 64-bit MSVC-ABI {@code throw} passes to {@code _CxxThrowException}: a ThrowInfo and the
 * catchable-type array, catchable types and type descriptors it leads to. Their pointers are 32-bit RVAs (no base
 * relocation marks them), so two builds hold different bytes for the same exception type; the differ compares
 * them by what the RVAs lead to instead, which needs each structure's exact size and where its RVA fields are.
 * <p>
 * Layouts (x64 and ARM64): ThrowInfo {attributes, pmfnUnwind, pForwardCompat, pCatchableTypeArray} (16 bytes);
 * CatchableTypeArray {nCatchableTypes, arrayOfCatchableTypes[n]}; CatchableType {properties, pType, mdisp, pdisp,
 * vdisp, sizeOrOffset, copyFunction} (28 bytes); TypeDescriptor {pVFTable (a relocated pointer), spare, name}.
 * Recognition checks the whole chain (small attribute and property words, code where code must be, a decorated
 * name starting with '.'), so ordinary data is not mistaken for it.
 */
public final class ThrowInfos {
    private ThrowInfos() {}

    /** At most this many catchable types per throw (a class and its bases); real ones have a handful. */
    public static final int MAX_CATCHABLE_TYPES = 256;
    /** A type descriptor's decorated name is at most this long. */
    public static final int MAX_NAME = 4096;

    /**
     * When a ThrowInfo chain starts at {@code rva}, records each of its structures in {@code layouts} as
     * {size, offsets of its RVA fields...} and returns true; otherwise records nothing and returns false.
     */
    public static boolean register(ImageCode code, long rva, Map<Long, long[]> layouts) {
        if (rva <= 0 || code.isCode(rva) || code.readWord(rva, 4) > 0x1F) {
            return false;
        }
        long unwind = code.readWord(rva + 4, 4);
        long forward = code.readWord(rva + 8, 4);
        long array = code.readWord(rva + 12, 4);
        if (!codeOrZero(code, unwind) || !codeOrZero(code, forward) || !data(code, array)) {
            return false;
        }
        long n = code.readWord(array, 4);
        if (n < 1 || n > MAX_CATCHABLE_TYPES) {
            return false;
        }
        Map<Long, long[]> found = new java.util.HashMap<>();
        found.put(rva, new long[] {16, 4, 8, 12});
        long[] arrayLayout = new long[(int) n + 1];
        arrayLayout[0] = 4 + 4 * n;
        for (int i = 0; i < n; i++) {
            arrayLayout[i + 1] = 4 + 4L * i;
            long type = code.readWord(array + 4 + 4L * i, 4);
            if (!catchableType(code, type, found)) {
                return false;
            }
        }
        found.put(array, arrayLayout);
        layouts.putAll(found);
        return true;
    }

    private static boolean catchableType(ImageCode code, long rva, Map<Long, long[]> found) {
        if (!data(code, rva) || code.readWord(rva, 4) > 0xFF) {
            return false;
        }
        long descriptor = code.readWord(rva + 4, 4);
        long copy = code.readWord(rva + 24, 4);
        if (!data(code, descriptor) || !codeOrZero(code, copy)) {
            return false;
        }
        int nameLength = nameLength(code, descriptor + 16);
        if (nameLength < 0) {
            return false;
        }
        found.put(rva, new long[] {28, 4, 24});
        found.put(descriptor, new long[] {16 + nameLength + 1});
        return true;
    }

    /** The length of the decorated name at {@code rva} (".?AU..." style, NUL-terminated, printable), or -1. */
    private static int nameLength(ImageCode code, long rva) {
        byte[] b = new byte[64];
        int length = 0;
        while (length < MAX_NAME) {
            code.read(rva + length, b.length, b, 0);
            for (byte c : b) {
                if (c == 0) {
                    return length >= 2 ? length : -1;
                }
                if (c < 0x20 || c >= 0x7f || length == 0 && c != '.') {
                    return -1;
                }
                length++;
            }
        }
        return -1;
    }

    private static boolean codeOrZero(ImageCode code, long rva) {
        return rva == 0 || code.isCode(rva);
    }

    private static boolean data(ImageCode code, long rva) {
        return rva > 0 && rva < code.sizeOfImage() && code.sectionAt(rva) != null && !code.isCode(rva);
    }

    /**
     * What the ThrowInfo at {@code rva} means, as a text that two builds can compare: its attributes, the
     * destructor (as {@code code} names it), and per catchable type its properties, type name, displacements, size
     * and copy constructor; empty when no ThrowInfo chain starts there.
     *
     * @param code  names a code RVA in terms that survive relinking (the matched function and offset)
     */
    public static java.util.Optional<String> meaning(ImageCode image, long rva, java.util.function.LongFunction<String> code) {
        if (!register(image, rva, new java.util.HashMap<>())) {
            return java.util.Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        long unwind = image.readWord(rva + 4, 4);
        out.append(image.readWord(rva, 4)).append(" dtor ").append(unwind == 0 ? "-" : code.apply(unwind));
        long array = image.readWord(rva + 12, 4);
        long n = image.readWord(array, 4);
        for (int i = 0; i < n; i++) {
            long type = image.readWord(array + 4 + 4L * i, 4);
            long copy = image.readWord(type + 24, 4);
            long descriptor = image.readWord(type + 4, 4);
            out.append(" [").append(image.readWord(type, 4)).append(' ')
                    .append(CxxFrameTables.typeName(image, descriptor)).append(' ')
                    .append(image.readWord(type + 8, 4)).append(',').append(image.readWord(type + 12, 4)).append(',')
                    .append(image.readWord(type + 16, 4)).append(" size ").append(image.readWord(type + 20, 4))
                    .append(" copy ").append(copy == 0 ? "-" : code.apply(copy)).append(']');
        }
        return java.util.Optional.of(out.toString());
    }
}
