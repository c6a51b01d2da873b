package dev.hotpatch.packager.format;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The hot-patch tables of one patch image: header, base identity, function records (each with its fixups), the
 * fixups that belong to no function, and (derived) the string table. Records are kept in table order, so
 * {@code read(write(t))} equals {@code t}.
 *
 * @param header     HPATCH_HEADER's own fields
 * @param base       HPATCH_BASE
 * @param functions  function records, kept in {@link FunctionRecord#TABLE_ORDER}
 * @param dataFixups fixups whose site lies outside every patch function (pointers in new globals); they follow
 *                   the functions' runs in the fixup table, kept in {@link FixupRecord#TABLE_ORDER}
 */
public record HotPatchTables(HotPatchHeader header, HotPatchBase base, List<FunctionRecord> functions,
                             List<FixupRecord> dataFixups) {

    public HotPatchTables {
        if (header == null || base == null || functions == null || dataFixups == null) {
            throw new IllegalArgumentException("header, base, functions and dataFixups must not be null");
        }
        List<FunctionRecord> f = new ArrayList<>(functions);
        f.sort(FunctionRecord.TABLE_ORDER);
        functions = List.copyOf(f);
        List<FixupRecord> d = new ArrayList<>(dataFixups);
        d.sort(FixupRecord.TABLE_ORDER);
        dataFixups = List.copyOf(d);
    }

    /** The fixup table in order: each function's run in function order, then the data fixups. */
    public List<FixupRecord> fixupTable() {
        List<FixupRecord> all = new ArrayList<>();
        for (FunctionRecord fn : functions) {
            all.addAll(fn.fixups());
        }
        all.addAll(dataFixups);
        return all;
    }

    /**
     * The string table's strings, deduplicated, in first-use order: the base's name, the function records' names
     * in table order, then the fixup records' names in table order. The empty string is not listed: it is the
     * NUL at offset 0 that starts every string table.
     */
    public List<String> strings() {
        Set<String> seen = new LinkedHashSet<>();
        seen.add(base.name());
        for (FunctionRecord fn : functions) {
            seen.add(fn.name());
        }
        for (FixupRecord fx : fixupTable()) {
            seen.add(fx.name());
        }
        seen.remove("");
        return List.copyOf(seen);
    }
}
