package dev.hotpatch.differ;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.testsupport.FuzzSeeds;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes {@link Differ#diffAndPlan} on two small images: a sample's v1 as the old side, the fuzzed bytes (seeded
 * with that pair's v1 and v2) as the new side. The input's first byte picks the pair from {@link #PAIRS}; the rest
 * is the new image. Any input either diffs (and, when patchable, plans) or fails with {@link DifferException} or
 * {@link PeFormatException}; any other throwable is a finding. ./fuzz bounds each input to 30 s (libFuzzer's
 * -timeout) because FunctionDiscovery can hang on some section tables (an open issue; docs/fuzzing.md). Not JUnit's
 * {@code @Timeout}: in fuzzing mode it times the whole run and interrupts it, and the differ reports the interrupt.
 * The normal test run replays {@code DifferFuzzTestInputs/diffsOrRefuses} (the crash corpus) and one unmutated
 * pair per machine.
 */
@Tag("fuzz")
class DifferFuzzTest {
    /** Old sides: machine/scenario pairs under testdata/bin, small DLLs with code, data and import changes. */
    static final List<String> PAIRS = List.of(
            "arm64/constant_changed", "arm64/new_helper", "arm64/new_global", "arm64/switch_table_grows",
            "x64/constant_changed", "x64/new_helper", "x64/new_global", "x64/switch_table_grows",
            "x86/constant_changed", "x86/new_helper", "x86/new_global", "x86/switch_table_grows");

    private static Path scratch;

    static Stream<Arguments> seeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (int i = 0; i < PAIRS.size(); i++) {
            Path dir = RepoPaths.testdataBin().resolve(PAIRS.get(i));
            if (!FuzzSeeds.fuzzing() && !PAIRS.get(i).endsWith("/constant_changed")) {
                continue;
            }
            for (String side : List.of("v1.dll", "v2.dll")) {
                if (Files.isRegularFile(dir.resolve(side))) {
                    byte[] image = FuzzSeeds.read(dir.resolve(side));
                    byte[] input = new byte[image.length + 1];
                    input[0] = (byte) i;
                    System.arraycopy(image, 0, input, 1, image.length);
                    seeds.add(Arguments.of((Object) input));
                }
            }
        }
        return seeds.stream();
    }

    @MethodSource("seeds")
    @FuzzTest
    void diffsOrRefuses(byte[] input) throws IOException {
        if (input.length < 2) {
            return;
        }
        Path old = RepoPaths.testdataBin().resolve(PAIRS.get(Byte.toUnsignedInt(input[0]) % PAIRS.size()))
                .resolve("v1.dll");
        Path fresh = newSide(Arrays.copyOfRange(input, 1, input.length));
        try {
            Differ.diffAndPlan(old, fresh, Differ.Options.defaults());
        } catch (DifferException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isEmpty(), "empty message");
        } catch (PeFormatException refused) {
            assertFalse(refused.structure().isEmpty(), refused::getMessage);
        }
    }

    /** The new side, written over the same scratch file each time. */
    private static synchronized Path newSide(byte[] image) throws IOException {
        if (scratch == null) {
            scratch = Files.createTempDirectory("differ-fuzz");
        }
        Path file = scratch.resolve("new.dll");
        Files.write(file, image);
        return file;
    }

    @AfterAll
    static void removeScratch() throws IOException {
        if (scratch != null) {
            Files.deleteIfExists(scratch.resolve("new.dll"));
            Files.deleteIfExists(scratch);
        }
    }
}
