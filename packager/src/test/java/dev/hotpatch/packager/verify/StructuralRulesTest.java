package dev.hotpatch.packager.verify;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.apply.OfflineApplier;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11: each structural rule of docs/format.md, section 2.7, broken in a real x86, x64 and ARM64 patch, is
 * reported by verification with its kind and rule, and the offline applier, which does not check signatures,
 * refuses the patch with a checked error naming the rule. The sound patch keeps every rule.
 */
class StructuralRulesTest {
    private static final Set<String> RULES_ON_EVERY_MACHINE = Set.of("rule 12", "rule 13", "rule 14", "rule 15",
            "rule 16", "rule 17", "rule 19");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x86", "x64", "arm64"})
    void everyBrokenRuleIsNamedByVerifyAndRefusedByApply(String arch) throws Exception {
        Set<String> covered = refusedEach(arch, "calls_unchanged_and_globals", false);
        assertTrue(covered.containsAll(RULES_ON_EVERY_MACHINE), "rules covered: " + covered);
        if (!arch.equals("x86")) {
            assertTrue(covered.contains("rule 18"), "reach is a rule on " + arch + ": " + covered);
        }
    }

    /** Pointers in carried data: a data fixup moved into code, or onto a pointer the patch relocates itself. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x86", "x64"})
    void dataFixupsStayInDataAndOffRelocatedPointers(String arch) throws Exception {
        Set<String> covered = refusedEach(arch, "pointer_table_changed", true);
        assertTrue(covered.contains("rule 15"), "rules covered: " + covered);
        if (arch.equals("x86")) {
            assertTrue(covered.contains("rule 16"), "x86 tables of pointers are relocated: " + covered);
        }
    }

    /** Each mutant is named by verification and refused by the applier; returns the rules the mutants broke. */
    private static Set<String> refusedEach(String arch, String scenario, boolean dataFixups) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        byte[] baseBytes = Files.readAllBytes(dir.resolve("v1.dll"));
        PeImage base = PeReader.read(baseBytes, "v1.dll");
        byte[] patch = Packager.make(dir.resolve("v1.dll"), dir.resolve("v2.dll"), Differ.Options.defaults(),
                PatchWriter.Options.first()).patch().orElseThrow();
        assertEquals(List.of(), PatchCheck.check(patch, base, 0), "the sound patch");
        OfflineApplier.apply(base, baseBytes, patch);

        List<String> failures = new ArrayList<>();
        Set<String> covered = new java.util.TreeSet<>();
        StructuralMutants mutants = new StructuralMutants(arch, patch, base);
        for (StructuralMutants.Mutant m : dataFixups ? mutants.dataFixupMutants() : mutants.all()) {
            List<PatchProblem> problems = PatchCheck.check(m.bytes(), base, 0);
            Set<PatchProblem.Kind> kinds = problems.stream().map(PatchProblem::kind).collect(Collectors.toSet());
            if (!kinds.contains(m.kind()) || problems.stream().noneMatch(p -> p.message().contains(m.rule()))) {
                failures.add(m + ": verify reported " + problems);
            }
            try {
                OfflineApplier.apply(base, baseBytes, m.bytes());
                failures.add(m + ": applied");
            } catch (PatchFormatException | OfflineApplier.ApplyException e) {
                if (!e.getMessage().contains(m.rule())) {
                    failures.add(m + ": apply refused without naming " + m.rule() + ": " + e.getMessage());
                }
            }
            covered.add(m.rule());
        }
        assertEquals(List.of(), failures);
        return covered;
    }
}
