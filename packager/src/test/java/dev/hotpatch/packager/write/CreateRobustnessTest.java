package dev.hotpatch.packager.write;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 11: seeded byte changes to either build of a patchable pair give create a patch, a refusal or one
 * checked error within seconds, never an internal error.
 */
class CreateRobustnessTest {
    private static final int MUTANTS = Integer.getInteger("hotpatch.mutants", 60);

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"x64, calls_unchanged_and_globals", "x86, pointer_table_changed", "arm64, new_import"})
    void mutatedBuildsGiveAPatchARefusalOrACheckedError(String arch, String scenario, @TempDir Path tmp)
            throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Random random = new Random(scenario.hashCode() + arch.hashCode());
        List<String> failures = new ArrayList<>();
        for (int m = 0; m < MUTANTS; m++) {
            boolean old = m % 2 == 0;
            byte[] b = Files.readAllBytes(dir.resolve(old ? "v1.dll" : "v2.dll"));
            int nt = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0x3C);
            int span = m % 4 == 3 ? b.length - nt : Math.min(b.length - nt, 0x200);
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                b[nt + random.nextInt(span)] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            Path mutant = tmp.resolve("mutant" + m + ".dll");
            Files.write(mutant, b);
            Path v1 = old ? mutant : dir.resolve("v1.dll");
            Path v2 = old ? dir.resolve("v2.dll") : mutant;
            String what = (old ? "v1" : "v2") + " mutant " + m;
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    Packager.make(v1, v2, Differ.Options.defaults(), PatchWriter.Options.first());
                } catch (DifferException | PeFormatException | PatchRefusedException | IOException expected) {
                    // create's checked errors and refusals
                } catch (RuntimeException | OutOfMemoryError e) {
                    failures.add(what + ": " + e);
                }
            }, what + " hangs");
        }
        assertEquals(List.of(), failures);
    }
}
