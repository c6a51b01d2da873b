package dev.hotpatch.pe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The load configuration directory: every field the image provides, by its .ksy id in layout order
 * (load_config_directory_32.ksy / load_config_directory_64.ksy), plus typed accessors for the fields the
 * toolchain uses and the RVA tables it reads. A field past the structure's Size is absent, not zero.
 * Fields named va_* hold virtual addresses (image base included).
 */
public final class LoadConfig {
    /** GuardFlags: the image is compiled with Control Flow Guard checks. */
    public static final long GUARD_CF_INSTRUMENTED = 0x100;
    /** GuardFlags: GuardCFFunctionTable is present. */
    public static final long GUARD_CF_FUNCTION_TABLE_PRESENT = 0x400;
    /** GuardFlags: the image supports XFG. */
    public static final long GUARD_XFG_ENABLED = 0x00800000;

    private final boolean pe32Plus;
    private final long fileOffset;
    private final long size;
    private final Map<String, Long> fields;
    private final List<Long> seHandlers;
    private final List<Long> guardCfFunctions;

    LoadConfig(boolean pe32Plus, long fileOffset, long size, Map<String, Long> fields, List<Long> seHandlers,
               List<Long> guardCfFunctions) {
        this.pe32Plus = pe32Plus;
        this.fileOffset = fileOffset;
        this.size = size;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.seHandlers = seHandlers;
        this.guardCfFunctions = guardCfFunctions;
    }

    /** True for IMAGE_LOAD_CONFIG_DIRECTORY64. */
    public boolean isPe32Plus() { return pe32Plus; }

    /** File offset of the structure. */
    public long fileOffset() { return fileOffset; }

    /** The structure's own Size field: how many bytes of it the image provides. */
    public long size() { return size; }

    /** Every present field, by .ksy id, in layout order. */
    public Map<String, Long> fields() { return fields; }

    /** A field by .ksy id, such as {@code guard_flags}; empty when the image's Size stops before it. */
    public OptionalLong field(String id) {
        Long value = fields.get(id);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    public boolean has(String id) {
        return fields.containsKey(id);
    }

    /** VA of the /GS security cookie. */
    public OptionalLong securityCookie() { return field("va_security_cookie"); }

    public OptionalLong seHandlerCount() { return field("num_se_handlers"); }

    /** The safe SEH handler RVAs (x86 images with /SAFESEH), empty otherwise. */
    public List<Long> seHandlers() { return seHandlers; }

    public OptionalLong guardFlags() { return field("guard_flags"); }

    /** VA of the CFG function table. */
    public OptionalLong guardCfFunctionTable() { return field("va_guard_cf_function_table"); }

    public OptionalLong guardCfFunctionCount() { return field("num_guard_cf_functions"); }

    /** RVAs of the valid indirect-call targets (GuardCFFunctionTable), empty when there is none. */
    public List<Long> guardCfFunctions() { return guardCfFunctions; }

    /**
     * HotPatchTableOffset: the RVA of the image's IMAGE_HOT_PATCH_INFO; empty when the field is absent or 0
     * (an ordinary image, not a hotpatch).
     */
    public OptionalLong hotPatchTableOffset() {
        OptionalLong value = field("rva_hot_patch_table");
        return value.isPresent() && value.getAsLong() != 0 ? value : OptionalLong.empty();
    }
}
