package dev.hotpatch.differ.plan;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The patch plan of sample pairs: every reference of every carried function has a field the packager can fix
 * up and a target it can place, and the targets are the ones the scenario says (a base function, a base
 * global, a new global, a new helper in the patch, a new import).
 */
class PatchPlanTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "calls_unchanged_and_globals, x64, dll, process, 'function weigh;global total;global hits'",
        "calls_unchanged_and_globals, x86, dll, process, 'function weigh;global total;global hits'",
        "calls_unchanged_and_globals, arm64, dll, process, 'function weigh;global total;global hits'",
        "new_helper, x64, exe, compute, 'patch function clamp_to_limit'",
        "new_helper, arm64, dll, compute, 'patch function clamp_to_limit'",
        "new_global, x64, dll, total, 'new global bonus'",
        "new_global, x86, exe, total, 'new global bonus'",
        "new_global, arm64, dll, total, 'new global bonus'",
        "new_import, x64, dll, label_length, 'new import kernel32.dll!lstrlenA'",
        "new_import, arm64, dll, label_length, 'new import kernel32.dll!lstrlenA'",
        "string_literal_changed, x64, exe, greeting, 'literal'",
    })
    void carriedFunctionsReferToWhatTheScenarioSays(String scenario, String arch, String kind, String function,
                                                     String expected) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Differ.Outcome outcome = Differ.diffAndPlan(dir.resolve("v1." + kind), dir.resolve("v2." + kind),
                Differ.Options.defaults());
        assertEquals(DiffResult.Verdict.PATCHABLE, outcome.result().verdict());
        PatchPlan plan = outcome.plan().orElseThrow();
        assertTrue(plan.unresolved().isEmpty(), () -> "unresolved: " + plan.unresolved());
        PlannedFunction f = plan.functions().stream().filter(x -> x.name().equals(function)).findFirst().orElseThrow();
        List<String> targets = f.fixups().stream().map(x -> x.target().describe()).collect(Collectors.toList());
        for (String want : expected.split(";")) {
            assertTrue(targets.stream().anyMatch(t -> t.startsWith(want)), () -> want + " not among " + targets);
        }
        for (Fixup x : f.fixups()) {
            assertTrue(x.fieldKind() != Step.FIELD_NONE, () -> "a reference without a field: " + x);
            long[] range = f.newRanges().get(x.range());
            assertTrue(range[0] + x.instructionOffset() < range[1], () -> "site outside the function: " + x);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"constant_changed, x64, exe", "switch_table_grows, x64, exe", "switch_table_grows, x86, exe",
        "switch_table_grows, arm64, dll", "cpp_virtual_method_changed, x64, exe", "address_taken, arm64, dll",
        "function_grows, x86, dll", "float_constant_changed, arm64, dll"})
    void everyReferenceIsPlaced(String scenario, String arch, String kind) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        PatchPlan plan = Differ.diffAndPlan(dir.resolve("v1." + kind), dir.resolve("v2." + kind),
                Differ.Options.defaults()).plan().orElseThrow();
        assertTrue(!plan.functions().isEmpty());
        assertTrue(plan.unresolved().isEmpty(), () -> "unresolved: " + plan.unresolved());
    }
}
