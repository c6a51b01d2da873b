package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.PdbTpiStream;
import dev.hotpatch.kaitai.layout.bulk.CvType;
import dev.hotpatch.pe.PeFormatException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Sizes of types from the TPI stream (stream 2). Reading it only indexes where each type record starts (4 bytes
 * per type); a record is parsed when a size asks for it. LF_MODIFIER and LF_ENUM take the size of the type they
 * name, LF_POINTER its size bits, LF_ARRAY, LF_CLASS, LF_STRUCTURE and LF_UNION their size leaf; a forward
 * reference (a declaration: size 0) takes the size of the one definition with the same unique name, found in
 * one pass over the records for all forward references of a batch; anything else is -1 (unknown).
 */
final class TypeSizes {
    static final int STREAM = 2;
    static final long UNKNOWN = -1;
    private static final String TPI = "tpi_stream";
    private static final int HEADER_SIZE = 56;   // pdb_tpi_stream seq
    private static final long V80 = 20040203;

    /** A type's size, or the unique name of the definition that has it (for a forward reference). */
    private record Resolution(long size, String forwardName) {}

    private final MsfStream stream;
    private final long begin;
    private final int[] offsets;   // stream position of each record, by type index - begin

    private TypeSizes(MsfStream stream, long begin, int[] offsets) {
        this.stream = stream;
        this.begin = begin;
        this.offsets = offsets;
    }

    /** Types without a TPI stream: only primitive types have sizes. */
    static TypeSizes primitivesOnly() {
        return new TypeSizes(null, PrimitiveTypes.FIRST_RECORD_INDEX, new int[0]);
    }

    static TypeSizes read(MsfStream stream) throws PeFormatException {
        if (stream.size() < HEADER_SIZE) {
            throw new PeFormatException(TPI, "extent", stream.fileOffset(0), "at least " + HEADER_SIZE
                    + " bytes (the TPI header)", stream.size() + " bytes");
        }
        PdbTpiStream h = stream.parse(TPI, 0, HEADER_SIZE, PdbTpiStream::new);
        if (h.version() != V80) {
            throw new PeFormatException(TPI, "version", stream.fieldOffset(h, "version", 0), V80 + " (V80)",
                    String.valueOf(h.version()));
        }
        if (h.lenHeader() < HEADER_SIZE || h.lenHeader() > stream.size()) {
            throw new PeFormatException(TPI, "len_header", stream.fieldOffset(h, "len_header", 0),
                    HEADER_SIZE + " to " + stream.size() + " (inside the stream)", String.valueOf(h.lenHeader()));
        }
        long room = stream.size() - h.lenHeader();
        if (h.lenTypeRecords() > room) {
            throw new PeFormatException(TPI, "len_type_records", stream.fieldOffset(h, "len_type_records", 0),
                    "at most " + hex(room) + " (the rest of the stream)", hex(h.lenTypeRecords()));
        }
        long begin = h.typeIndexBegin();
        if (begin < PrimitiveTypes.FIRST_RECORD_INDEX) {
            throw new PeFormatException(TPI, "type_index_begin", stream.fieldOffset(h, "type_index_begin", 0),
                    "at least 0x1000 (lower indices are primitive types)", hex(begin));
        }
        long maxEnd = begin + Math.min(h.lenTypeRecords() / CvRecords.HEADER_SIZE, PdbLimits.MAX_TYPES);
        if (h.typeIndexEnd() < begin || h.typeIndexEnd() > maxEnd) {
            throw new PeFormatException(TPI, "type_index_end", stream.fieldOffset(h, "type_index_end", 0),
                    hex(begin) + " to " + hex(maxEnd) + " (one record of at least 4 bytes per type index, at most "
                            + "PdbLimits.MAX_TYPES types)", hex(h.typeIndexEnd()));
        }
        int[] offsets = new int[(int) (h.typeIndexEnd() - begin)];
        long end = h.lenHeader() + h.lenTypeRecords();
        int[] count = {0};
        CvRecords.walk(stream, h.lenHeader(), end, TPI + ".type_record", (index, kind, recordPos, bodyPos, bodyLen) -> {
            if (index >= offsets.length) {
                throw new PeFormatException(TPI, "type_index_end", stream.fieldOffset(h, "type_index_end", 0),
                        hex(begin + index + 1) + " or more (a type index for every record)", hex(h.typeIndexEnd()));
            }
            offsets[index] = (int) recordPos;
            count[0]++;
            return true;
        });
        if (count[0] != offsets.length) {
            throw new PeFormatException(TPI, "type_index_end", stream.fieldOffset(h, "type_index_end", 0),
                    hex(begin + count[0]) + " (the end of the " + count[0] + " type records)",
                    hex(h.typeIndexEnd()));
        }
        return new TypeSizes(stream, begin, offsets);
    }

    /** Sizes of the given type indices, in order; -1 where a size is unknown. */
    long[] sizes(int[] typeIndices) throws PeFormatException {
        Map<Long, Resolution> cache = new HashMap<>();
        Resolution[] resolved = new Resolution[typeIndices.length];
        Set<String> wanted = new HashSet<>();
        for (int i = 0; i < typeIndices.length; i++) {
            long ti = Integer.toUnsignedLong(typeIndices[i]);
            Resolution r = cache.get(ti);
            if (r == null) {
                r = resolve(ti, 0);
                cache.put(ti, r);
            }
            resolved[i] = r;
            if (r.forwardName() != null) {
                wanted.add(r.forwardName());
            }
        }
        Map<String, Long> definitions = wanted.isEmpty() ? Map.of() : definitions(wanted);
        long[] out = new long[typeIndices.length];
        for (int i = 0; i < out.length; i++) {
            Resolution r = resolved[i];
            out[i] = r.forwardName() == null ? r.size() : definitions.getOrDefault(r.forwardName(), UNKNOWN);
        }
        return out;
    }

    private Resolution resolve(long ti, int depth) throws PeFormatException {
        if (ti < PrimitiveTypes.FIRST_RECORD_INDEX) {
            return known(PrimitiveTypes.size(ti));
        }
        if (ti < begin || ti - begin >= offsets.length || depth > PdbLimits.MAX_TYPE_CHAIN) {
            return known(UNKNOWN);
        }
        Object body = body(ti);
        if (body instanceof CvType.LfModifier m) {
            return resolve(m.modifiedType(), depth + 1);
        } else if (body instanceof CvType.LfEnum e) {
            return resolve(e.underlyingType(), depth + 1);
        } else if (body instanceof CvType.LfPointer p) {
            return known(p.lenPointer() > 0 ? p.lenPointer() : UNKNOWN);
        } else if (body instanceof CvType.LfArray a) {
            return known(leaf(a.lenArray()));
        } else if (body instanceof CvType.LfClass c) {
            return c.isForwardRef() ? forward(c.hasUniqueName() ? c.uniqueName() : c.name())
                    : known(leaf(c.lenClass()));
        } else if (body instanceof CvType.LfUnion u) {
            return u.isForwardRef() ? forward(u.hasUniqueName() ? u.uniqueName() : u.name())
                    : known(leaf(u.lenUnion()));
        }
        return known(UNKNOWN);
    }

    /**
     * One pass over the class, structure and union records: the size of each definition (not a forward
     * reference) whose unique name is wanted. A name defined with two different sizes stays unknown.
     */
    private Map<String, Long> definitions(Set<String> wanted) throws PeFormatException {
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i < offsets.length; i++) {
            Object body = body(begin + i);
            String name = null;
            long size = UNKNOWN;
            if (body instanceof CvType.LfClass c && !c.isForwardRef()) {
                name = c.hasUniqueName() ? c.uniqueName() : c.name();
                size = leaf(c.lenClass());
            } else if (body instanceof CvType.LfUnion u && !u.isForwardRef()) {
                name = u.hasUniqueName() ? u.uniqueName() : u.name();
                size = leaf(u.lenUnion());
            }
            if (name != null && wanted.contains(name)) {
                Long before = out.putIfAbsent(name, size);
                if (before != null && before != size) {
                    out.put(name, UNKNOWN);
                }
            }
        }
        return out;
    }

    /** The parsed body of a type record, or null for a kind cv_type does not describe. */
    private Object body(long ti) throws PeFormatException {
        long recordPos = offsets[(int) (ti - begin)];
        String structure = TPI + ".type[" + hex(ti) + "]";
        dev.hotpatch.kaitai.layout.bulk.CvRecordHeader h = stream.parse(structure, recordPos,
                CvRecords.HEADER_SIZE, dev.hotpatch.kaitai.layout.bulk.CvRecordHeader::new);
        int kind = h.kind();
        CvType.TypeKind known = CvType.TypeKind.byId(kind);
        if (known == null) {
            return null;
        }
        int bodyLen = h.lenRecord() - 2;
        try {
            return stream.parse(structure, recordPos + CvRecords.HEADER_SIZE, bodyLen, io -> new CvType(io, kind))
                    .body();
        } catch (PeFormatException e) {
            throw CvRecords.tooShort(stream, structure, recordPos, known.name().toUpperCase(Locale.ROOT), bodyLen);
        }
    }

    private static long leaf(CvType.NumericLeaf leaf) {
        return leaf.isKnown() && leaf.value() >= 0 ? leaf.value() : UNKNOWN;
    }

    private static Resolution known(long size) {
        return new Resolution(size, null);
    }

    private static Resolution forward(String name) {
        return new Resolution(UNKNOWN, name);
    }
}
