package dev.hotpatch.differ.plan;

import dev.hotpatch.pe.Machine;

import java.util.List;

/**
 * What a patch must contain, derived from a diff: the changed and new functions with every reference their
 * code makes resolved to the base or to the patch itself. The packager turns it into a patch image.
 */
public record PatchPlan(Machine machine, List<PlannedFunction> functions, List<String> newImports) {

    /** Every fixup whose target the plan could not place. */
    public List<Fixup> unresolved() {
        return functions.stream().flatMap(f -> f.fixups().stream())
                .filter(x -> x.target() instanceof Target.Unresolved).toList();
    }
}
