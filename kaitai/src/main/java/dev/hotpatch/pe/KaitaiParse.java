package dev.hotpatch.pe;

import io.kaitai.struct.KaitaiStream;
import io.kaitai.struct.KaitaiStruct;

import java.util.Map;
import java.util.function.Function;

/**
 * Runs generated Kaitai parsers over checked ranges and turns their runtime failures into
 * {@link PeFormatException}; also finds where a parsed field sits in the file, for error messages.
 */
public final class KaitaiParse {
    private KaitaiParse() {}

    @FunctionalInterface
    public interface Parser<T> {
        T parse(KaitaiStream io);
    }

    /** Parses the structure that occupies [offset, offset + size) of the file. */
    public static <T> T parse(ImageBytes bytes, String structure, long offset, long size, Parser<T> parser)
            throws PeFormatException {
        bytes.checkRange(structure, "extent", offset, offset, size);
        return parse(bytes.stream(offset, size), structure, offset, size, parser);
    }

    /** Parses from a stream the caller built, for example over a zero-padded copy of the header page. */
    public static <T> T parse(KaitaiStream io, String structure, long offset, long size, Parser<T> parser)
            throws PeFormatException {
        try {
            return parser.parse(io);
        } catch (RuntimeException e) {
            // Generated parsers only fail by running off their range (or on a validation the .ksy declares).
            throw new PeFormatException(structure, "extent", offset,
                    "0x" + Long.toHexString(size) + " bytes holding a whole " + structure,
                    "a structure that runs past them (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The file offset of a field of a parsed structure: {@code base} is the file offset its stream starts at.
     * Returns -1 when the field is unknown (the parser was generated without --read-pos).
     */
    public static long fieldOffset(KaitaiStruct struct, String ksyId, long base) {
        return position(struct, "_attrStart", ksyId, base);
    }

    /**
     * The file offset of {@code field} in the structure at {@code offset} (at most {@code length} bytes of it in
     * the file), found by parsing it again with a read-pos {@code parser}; -1 when that fails. The hot path parses
     * with the bulk parsers (no positions) and calls this only to place an error message.
     */
    static long locate(ImageBytes bytes, long offset, long length,
                       Function<KaitaiStream, ? extends KaitaiStruct> parser, String field) {
        if (offset < 0 || offset >= bytes.length() || length < 0) {
            return -1;
        }
        return locate(bytes.stream(offset, Math.min(length, bytes.length() - offset)), offset, parser, field);
    }

    /**
     * Like {@link #locate(ImageBytes, long, long, Function, String)} over a stream the caller built (such as a
     * zero-padded copy of the header page) that starts at file offset {@code base}. {@code parser} may return a
     * structure nested in what it parsed, as long as that structure's positions count from the stream's start.
     */
    static long locate(KaitaiStream io, long base, Function<KaitaiStream, ? extends KaitaiStruct> parser,
                       String field) {
        try {
            return fieldOffset(parser.apply(io), field, base);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The file offset just past a parsed field, or -1 when the field is unknown or was not read. */
    public static long fieldEnd(KaitaiStruct struct, String ksyId, long base) {
        return position(struct, "_attrEnd", ksyId, base);
    }

    private static long position(KaitaiStruct struct, String mapName, String ksyId, long base) {
        try {
            Object positions = struct.getClass().getField(mapName).get(struct);
            // The generated code keys the maps by the Java name: lower camel case of the .ksy id.
            if (positions instanceof Map<?, ?> map) {
                Object pos = map.containsKey(ksyId) ? map.get(ksyId) : map.get(javaName(ksyId));
                return pos instanceof Integer p ? base + p : -1;
            }
        } catch (ReflectiveOperationException e) {
            return -1;
        }
        return -1;
    }

    /** The Java name the Kaitai compiler gives a .ksy id: {@code ofs_nt_headers} becomes {@code ofsNtHeaders}. */
    public static String javaName(String ksyId) {
        StringBuilder out = new StringBuilder(ksyId.length());
        boolean upper = false;
        for (char c : ksyId.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
