package dev.hotpatch.packager.apply;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.inspect.PatchReport;
import dev.hotpatch.packager.verify.PatchCheck;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 11: seeded byte changes to a real patch (in its headers, section table, hot-patch tables and code) and
 * to its base give apply, verification and the inspect report only their checked errors, never an index error
 * or another internal one, and each ends quickly.
 */
class ApplyRobustnessTest {
    private static final int MUTANTS = 400;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"x86, pointer_table_changed", "x64, new_import", "x64, calls_unchanged_and_globals",
        "arm64, calls_unchanged_and_globals", "arm64, switch_table_grows"})
    void mutatedPatchesAndBasesGiveOnlyCheckedErrors(String arch, String scenario) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        byte[] baseBytes = Files.readAllBytes(dir.resolve("v1.dll"));
        byte[] patch = Packager.make(dir.resolve("v1.dll"), dir.resolve("v2.dll"), Differ.Options.defaults(),
                PatchWriter.Options.first()).patch().orElseThrow();
        PeImage image = PeReader.read(patch, "patch");
        List<int[]> regions = regions(image, patch.length);
        Random random = new Random(arch.hashCode() * 31L + scenario.hashCode());
        List<String> failures = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int m = 0; m < MUTANTS; m++) {
                boolean mutateBase = m % 8 == 7;
                byte[] target = (mutateBase ? baseBytes : patch).clone();
                int[] region = mutateBase ? new int[] {0, Math.min(target.length, 0x400)}
                        : regions.get(random.nextInt(regions.size()));
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    int at = region[0] + random.nextInt(Math.max(1, region[1] - region[0]));
                    target[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
                }
                String what = (mutateBase ? "base" : "patch") + " mutant " + m;
                try {
                    PeImage base = PeReader.read(mutateBase ? target : baseBytes, "base");
                    byte[] p = mutateBase ? patch : target;
                    PatchCheck.check(p, base, 0);
                    try {
                        PatchReport.of(PeReader.read(p, "patch")).ifPresent(r -> {
                            r.text(new StringBuilder());
                            r.json(new dev.hotpatch.report.JsonWriter().beginObject());
                        });
                    } catch (PeFormatException | PatchFormatException expected) {
                        // the checked errors inspect reports
                    }
                    try {
                        PatchImageTables.read(PeReader.read(p, "patch"));
                    } catch (PeFormatException | PatchFormatException expected) {
                        // likewise
                    }
                    OfflineApplier.apply(base, mutateBase ? target : baseBytes, p);
                } catch (PeFormatException | PatchFormatException | OfflineApplier.ApplyException expected) {
                    // the checked errors apply reports
                } catch (RuntimeException | OutOfMemoryError e) {
                    failures.add(what + ": " + e);
                }
            }
        });
        assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())));
    }

    /** The patch's headers, its section table's neighbourhood, and each section's first bytes (tables included). */
    private static List<int[]> regions(PeImage image, int length) {
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {0, 0x400});
        for (Section s : image.sections()) {
            int from = (int) s.rawOffset();
            out.add(new int[] {from, (int) Math.min(length, from + Math.min(s.rawSize(), 0x200))});
        }
        return out;
    }
}
