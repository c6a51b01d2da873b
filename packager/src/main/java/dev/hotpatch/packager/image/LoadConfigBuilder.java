package dev.hotpatch.packager.image;

import dev.hotpatch.kaitai.layout.LoadConfigDirectory32;
import dev.hotpatch.kaitai.layout.LoadConfigDirectory64;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.KaitaiParse;
import dev.hotpatch.pe.LoadConfig;
import dev.hotpatch.pe.Machine;
import io.kaitai.struct.ByteBufferKaitaiStream;
import io.kaitai.struct.KaitaiStruct;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds a load configuration directory (IMAGE_LOAD_CONFIG_DIRECTORY32 for x86, 64 for x64 and ARM64) that
 * ends with HotPatchTableOffset: its Size is the offset of that field plus 4 (0x98 and 0xF4). Every field is 0
 * (the security cookie included) except Size, HotPatchTableOffset and, when CFG functions are given,
 * GuardCFFunctionTable, GuardCFFunctionCount and GuardFlags (CF_INSTRUMENTED | CF_FUNCTION_TABLE_PRESENT). The
 * CFG table (sorted 4-byte RVAs, no metadata bytes) follows the structure in the same block.
 *
 * <p>The field offsets come from load_config_directory_32.ksy / load_config_directory_64.ksy, the same layout
 * the reader uses, so writer and reader cannot drift apart.
 */
public final class LoadConfigBuilder {
    /** Where the fields this builder writes sit, from the .ksy. */
    private record Fields(int structureSize, int hotPatchTable, int guardCfFunctionTable,
                          int guardCfFunctionCount, int countWidth, int guardFlags) {
        static Fields of(boolean pe32Plus) {
            ByteBufferKaitaiStream io = new ByteBufferKaitaiStream(new byte[0x400]);
            KaitaiStruct s = pe32Plus ? new LoadConfigDirectory64(io) : new LoadConfigDirectory32(io);
            int count = offset(s, "num_guard_cf_functions");
            return new Fields((int) KaitaiParse.fieldEnd(s, "rva_hot_patch_table", 0),
                    offset(s, "rva_hot_patch_table"), offset(s, "va_guard_cf_function_table"), count,
                    (int) KaitaiParse.fieldEnd(s, "num_guard_cf_functions", 0) - count, offset(s, "guard_flags"));
        }

        private static int offset(KaitaiStruct s, String id) {
            long at = KaitaiParse.fieldOffset(s, id, 0);
            if (at < 0) {
                throw new IllegalStateException("the load config layout has no field " + id);
            }
            return (int) at;
        }
    }

    private static final Fields FIELDS_32 = Fields.of(false);
    private static final Fields FIELDS_64 = Fields.of(true);

    private final boolean pe32Plus;
    private final Fields fields;
    private long hotPatchTable;
    private boolean guardCf;
    private final TreeSet<Long> guardCfFunctions = new TreeSet<>();

    public LoadConfigBuilder(Machine machine) {
        this.pe32Plus = PeImageBuilder.isPe32Plus(machine);
        this.fields = pe32Plus ? FIELDS_64 : FIELDS_32;
    }

    /** The structure's Size: through HotPatchTableOffset (0x98 for PE32, 0xF4 for PE32+). */
    public static int structureSize(Machine machine) {
        return (PeImageBuilder.isPe32Plus(machine) ? FIELDS_64 : FIELDS_32).structureSize;
    }

    /** The offset of HotPatchTableOffset in the structure (0x94 for PE32, 0xF0 for PE32+). */
    public static int hotPatchTableOffsetField(Machine machine) {
        return (PeImageBuilder.isPe32Plus(machine) ? FIELDS_64 : FIELDS_32).hotPatchTable;
    }

    /** The offsets of GuardCFFunctionTable (a VA) and GuardCFFunctionCount in the structure, and the count's width. */
    public static int[] guardCfTableFields(Machine machine) {
        Fields f = PeImageBuilder.isPe32Plus(machine) ? FIELDS_64 : FIELDS_32;
        return new int[] {f.guardCfFunctionTable, f.guardCfFunctionCount, f.countWidth};
    }

    /** HotPatchTableOffset: the RVA of the hot-patch header (0, the default, for an ordinary image). */
    public LoadConfigBuilder hotPatchTable(long rva) {
        if (rva < 0 || rva > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format("HotPatchTableOffset 0x%x is outside any image", rva));
        }
        this.hotPatchTable = rva;
        return this;
    }

    /**
     * Marks the image as CFG-instrumented and lists its valid indirect-call targets (function RVAs, in any order;
     * the table is written sorted and without repeats). Writing then also sets GUARD_CF on the image.
     */
    public LoadConfigBuilder guardCfFunctions(Collection<Long> rvas) {
        for (long rva : rvas) {
            if (rva <= 0 || rva > PeImageBuilder.MAX_IMAGE_SIZE) {
                throw new IllegalArgumentException(String.format("CFG function RVA 0x%x is outside any image", rva));
            }
        }
        guardCf = true;
        guardCfFunctions.addAll(rvas);
        return this;
    }

    /** The alignment the block's RVA needs: that of the structure's widest field. */
    public int alignment() {
        return pe32Plus ? 8 : 4;
    }

    /** Bytes of the block: the structure, then the CFG function table. */
    public int size() {
        return fields.structureSize + 4 * guardCfFunctions.size();
    }

    /**
     * Writes the block at {@code rva} (inside a reserved section), sets the LOAD_CONFIG data directory to the
     * structure, and adds the base relocation for GuardCFFunctionTable (a VA).
     */
    public void writeTo(PeImageBuilder image, long rva) {
        if (image.pe32Plus() != pe32Plus) {
            throw new IllegalArgumentException("this load config was planned for a " + (pe32Plus ? "PE32+" : "PE32")
                    + " image, not a " + image.machine() + " one");
        }
        if (rva % alignment() != 0) {
            throw new IllegalArgumentException(String.format(
                    "the load config's RVA 0x%x is not aligned to %d bytes", rva, alignment()));
        }
        Layout layout = image.layout();
        if (hotPatchTable != 0 && layout.sectionAt(hotPatchTable).isEmpty()) {
            throw new IllegalArgumentException(String.format(
                    "HotPatchTableOffset 0x%x lies outside every section", hotPatchTable));
        }
        for (long f : guardCfFunctions) {
            if (layout.sectionAt(f).isEmpty()) {
                throw new IllegalArgumentException(String.format("CFG function RVA 0x%x lies outside every section",
                        f));
            }
        }
        ByteBuffer buf = LittleEndian.allocate(size());
        buf.putInt(0, fields.structureSize);                       // Size
        buf.putInt(fields.hotPatchTable, (int) hotPatchTable);     // HotPatchTableOffset
        long tableRva = rva + fields.structureSize;
        if (guardCf) {
            buf.putInt(fields.guardFlags, (int) (LoadConfig.GUARD_CF_INSTRUMENTED
                    | (guardCfFunctions.isEmpty() ? 0 : LoadConfig.GUARD_CF_FUNCTION_TABLE_PRESENT)));
            if (fields.countWidth == 8) {
                buf.putLong(fields.guardCfFunctionCount, guardCfFunctions.size());
            } else {
                buf.putInt(fields.guardCfFunctionCount, guardCfFunctions.size());
            }
            int at = fields.structureSize;
            for (long f : guardCfFunctions) {
                buf.putInt(at, (int) f);
                at += 4;
            }
        }
        image.write(rva, buf.array());
        if (guardCf && !guardCfFunctions.isEmpty()) {
            image.writeAddress(rva + fields.guardCfFunctionTable, tableRva);   // GuardCFFunctionTable (VA)
        }
        if (guardCf) {
            image.guardCf(true);
        }
        image.directory(DirectoryKind.LOAD_CONFIG, rva, fields.structureSize);
    }

    /** The CFG function RVAs, sorted, as they will be written. */
    public List<Long> guardCfFunctions() {
        return List.copyOf(guardCfFunctions);
    }
}
