package dev.hotpatch.differ;

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
 * Issue 11: seeded 1- to 4-byte changes to a real image's headers, section table, directories and code give diff
 * a result or one checked error, never an internal error, and each diff ends within seconds (a 2-byte change to
 * NumberOfSections once hung it).
 */
class DiffRobustnessTest {
    private static final int MUTANTS = Integer.getInteger("hotpatch.mutants", 150);

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"x64, constant_changed/v1.dll", "x86, calls_unchanged_and_globals/v1.dll",
        "arm64, switch_table_grows/v1.dll"})
    void mutatedImagesDiffOrFailWithACheckedError(String arch, String file, @TempDir Path tmp) throws Exception {
        Path original = RepoPaths.testdataBin().resolve(arch).resolve(file);
        Path other = original.resolveSibling("v2.dll");
        byte[] bytes = Files.readAllBytes(original);
        int nt = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0x3C);
        Random random = new Random(file.hashCode());
        List<String> failures = new ArrayList<>();
        for (int m = 0; m < MUTANTS; m++) {
            byte[] b = bytes.clone();
            // Mostly the headers and section table (where one field sizes every loop), sometimes anywhere.
            int span = m % 4 == 3 ? b.length : Math.min(b.length, nt + 0x200);
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                int at = m % 4 == 3 ? random.nextInt(span) : nt + random.nextInt(span - nt);
                b[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            Path mutant = tmp.resolve("mutant" + m + ".dll");
            Files.write(mutant, b);
            String what = "mutant " + m;
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    try {
                        Differ.diffAndPlan(mutant, other, Differ.Options.defaults());
                    } catch (DifferException | PeFormatException | IOException expected) {
                        // the checked errors diff reports
                    } catch (RuntimeException | OutOfMemoryError e) {
                        failures.add(what + ": " + e);
                    }
                }, what + " hangs");
            } finally {
                Files.delete(mutant);
            }
        }
        assertEquals(List.of(), failures);
    }
}
