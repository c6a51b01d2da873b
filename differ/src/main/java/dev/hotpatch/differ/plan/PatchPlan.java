package dev.hotpatch.differ.plan;

import dev.hotpatch.pe.Machine;

import java.util.List;
import java.util.Map;

/**
 * What a patch must contain, derived from a diff: the changed and new functions with every reference their
 * code makes resolved to the base or to the patch itself, and every address stored in the data the patch
 * carries (keyed by the pointer's RVA in the new image; data reached only through such pointers is carried
 * too). The packager turns it into a patch image.
 */
public record PatchPlan(Machine machine, List<PlannedFunction> functions, List<String> newImports,
                        Map<Long, DataPointer> dataPointers) {

    /** Every fixup whose target the plan could not place. */
    public List<Fixup> unresolved() {
        return functions.stream().flatMap(f -> f.fixups().stream())
                .filter(x -> x.target() instanceof Target.Unresolved).toList();
    }
}
