package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.LoadConfigDirectory32;
import dev.hotpatch.kaitai.layout.LoadConfigDirectory64;
import dev.hotpatch.kaitai.layout.bulk.RvaTable;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStream;
import io.kaitai.struct.KaitaiStruct;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldEnd;
import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the load configuration directory, 32- or 64-bit, of any version. The structure's first field, Size,
 * says how many bytes exist: the reader copies min(Size, known size) bytes into a zero-filled buffer of the
 * known size, parses it, and keeps the fields whose end offset (from --read-pos) is at most Size. Then it reads
 * the safe SEH table and the CFG function table, each checked against the file and a limit first.
 */
final class LoadConfigReader {
    private static final DirectoryKind KIND = DirectoryKind.LOAD_CONFIG;
    private static final String STRUCTURE = "load_config";
    /** Bytes of the structures as the .ksy files define them (0xc4 and 0x148 for SDK 10.0.26100). */
    static final int KNOWN_SIZE_32 = knownSize(false);
    static final int KNOWN_SIZE_64 = knownSize(true);
    /** Bytes up to the end of the Size field: the least a structure must provide to say anything. */
    private static final int SIZE_FIELD_END = (int) fieldEnd(
            new LoadConfigDirectory32(new ByteBufferKaitaiStream(new byte[0x1000])), "len_load_config", 0);

    private final StepInput in;

    LoadConfigReader(StepInput in) {
        this.in = in;
    }

    Optional<LoadConfig> read() throws PeFormatException {
        Optional<DataDirectory> found = in.directory(KIND);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DataDirectory dir = found.get();
        boolean pe32Plus = in.headers.optionalHeader().pe32Plus();
        int known = pe32Plus ? KNOWN_SIZE_64 : KNOWN_SIZE_32;
        long offset = in.map.requireFileOffset(dir.address(), SIZE_FIELD_END, StepInput.directoryName(KIND), "rva",
                () -> in.directoryFieldOffset(KIND, "rva"));
        int backed = (int) in.map.backedLength(dir.address(), known);
        byte[] buffer = new byte[known];
        in.bytes.slice(offset, backed).get(buffer, 0, backed);
        Parsed first = parse(buffer, pe32Plus, offset, known);
        long size = first.size();
        long sizeOffset = fieldOffset(first.struct(), "len_load_config", offset);
        if (size < SIZE_FIELD_END) {
            in.warn(STRUCTURE + ".len_load_config is " + size + ", too small to hold any field; the load"
                    + " configuration is ignored");
            return Optional.empty();
        }
        if (size > known) {
            in.warn(STRUCTURE + ".len_load_config is " + hex(size) + ", larger than the " + hex(known)
                    + " bytes this reader knows (a newer SDK); the fields past " + hex(known) + " are not read");
        }
        if (size != dir.size()) {
            in.warn(StepInput.directoryName(KIND) + ".len is " + hex(dir.size()) + " but the structure's own Size"
                    + " is " + hex(size) + "; the structure's Size is used");
        }
        int present = (int) Math.min(size, known);
        if (present > backed) {
            throw new PeFormatException(STRUCTURE, "len_load_config", sizeOffset,
                    "a size whose bytes are backed by the file (" + hex(backed) + " bytes at RVA "
                            + hex(dir.address()) + ")", hex(size));
        }
        Arrays.fill(buffer, present, known, (byte) 0);
        Parsed parsed = parse(buffer, pe32Plus, offset, known);
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String javaName : parsed.seqFields()) {
            long end = fieldEnd(parsed.struct(), javaName, 0);
            if (end >= 0 && end <= size) {
                fields.put(ksyId(javaName), value(parsed.struct(), javaName));
            }
        }
        Fields f = new Fields(fields, parsed.struct(), offset);
        List<Long> seHandlers = seHandlers(f, pe32Plus);
        List<Long> guardCf = guardCfFunctions(f, parsed.metadataLength());
        return Optional.of(new LoadConfig(pe32Plus, offset, size, fields, seHandlers, guardCf));
    }

    private record Parsed(KaitaiStruct struct, String[] seqFields, long size, int metadataLength) {}

    /** Present fields with the parsed structure, to place messages. */
    private record Fields(Map<String, Long> values, KaitaiStruct struct, long base) {
        long get(String id) {
            return values.getOrDefault(id, 0L);
        }

        long offset(String id) {
            return fieldOffset(struct, id, base);
        }
    }

    private static Parsed parse(byte[] buffer, boolean pe32Plus, long offset, int known) throws PeFormatException {
        KaitaiStream io = new ByteBufferKaitaiStream(buffer);
        if (pe32Plus) {
            LoadConfigDirectory64 s = KaitaiParse.parse(io, STRUCTURE, offset, known, LoadConfigDirectory64::new);
            return new Parsed(s, LoadConfigDirectory64._seqFields, s.lenLoadConfig(),
                    s.lenGuardCfFunctionMetadata());
        }
        LoadConfigDirectory32 s = KaitaiParse.parse(io, STRUCTURE, offset, known, LoadConfigDirectory32::new);
        return new Parsed(s, LoadConfigDirectory32._seqFields, s.lenLoadConfig(), s.lenGuardCfFunctionMetadata());
    }

    /** The .ksy id of a generated Java name ({@code vaSecurityCookie} is {@code va_security_cookie}). */
    static String ksyId(String javaName) {
        StringBuilder out = new StringBuilder(javaName.length() + 8);
        for (char c : javaName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A field's value through its generated getter ({@code _seqFields} lists the getters' names). */
    private static long value(KaitaiStruct struct, String javaName) {
        try {
            Object value = struct.getClass().getMethod(javaName).invoke(struct);
            return ((Number) value).longValue();
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("generated load-config parser has no getter " + javaName, e);
        }
    }

    private static int knownSize(boolean pe32Plus) {
        byte[] zeros = new byte[0x1000];
        KaitaiStruct s = pe32Plus ? new LoadConfigDirectory64(new ByteBufferKaitaiStream(zeros))
                : new LoadConfigDirectory32(new ByteBufferKaitaiStream(zeros));
        return (int) s._io().pos();
    }

    private List<Long> seHandlers(Fields f, boolean pe32Plus) throws PeFormatException {
        long va = f.get("va_se_handler_table");
        long count = f.get("num_se_handlers");
        if (va == 0 || count == 0) {
            return RvaList.EMPTY;
        }
        if (pe32Plus) {
            in.warn(STRUCTURE + ".va_se_handler_table is set in a PE32+ image, where safe SEH does not apply;"
                    + " it is ignored");
            return RvaList.EMPTY;
        }
        Checks.atMost(count, Limits.MAX_SEH_HANDLERS, "MAX_SEH_HANDLERS", STRUCTURE, "num_se_handlers",
                () -> f.offset("num_se_handlers"));
        return table(f, "va_se_handler_table", va, (int) count, 0, "se_handler_table");
    }

    private List<Long> guardCfFunctions(Fields f, int metadataLength) throws PeFormatException {
        long va = f.get("va_guard_cf_function_table");
        long count = f.get("num_guard_cf_functions");
        if (va == 0 || count == 0) {
            return RvaList.EMPTY;
        }
        Checks.atMost(count, Limits.MAX_GUARD_TABLE_ENTRIES, "MAX_GUARD_TABLE_ENTRIES", STRUCTURE,
                "num_guard_cf_functions", () -> f.offset("num_guard_cf_functions"));
        return table(f, "va_guard_cf_function_table", va, (int) count, metadataLength, "guard_cf_function_table");
    }

    /** Reads a table of RVAs (each followed by {@code metadata} bytes) at a VA, in bounded runs. */
    private List<Long> table(Fields f, String vaField, long va, int count, int metadata, String tableName)
            throws PeFormatException {
        long rva = in.rvaOfVa(va, false, STRUCTURE, vaField, () -> f.offset(vaField));
        int entrySize = Integer.BYTES + metadata;   // rva_table.ksy: a u4 RVA, then the metadata bytes
        long offset = in.map.requireFileOffset(rva, (long) count * entrySize, STRUCTURE, vaField,
                () -> f.offset(vaField));
        int[] rvas = new int[count];
        Runs.parse(in.bytes, tableName, offset, count, entrySize, (io, n) -> new RvaTable(io, n, metadata),
                (run, first, n, runOffset) -> {
                    for (int j = 0; j < n; j++) {
                        long target = run.entries().get(j).rva();
                        if (target >= in.sizeOfImage()) {
                            in.warnRepeated(tableName + " outside image", tableName + "[" + (first + j) + "].rva "
                                    + hex(target) + " is past SizeOfImage (" + hex(in.sizeOfImage()) + ")");
                        }
                        rvas[(int) first + j] = (int) target;
                    }
                });
        return new RvaList(rvas);
    }
}
