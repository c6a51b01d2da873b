package dev.hotpatch.packager.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchRefusedException;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.FuzzSeeds;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes {@link HotPatchTablesReader#read(byte[])}: any input either fails with {@link PatchFormatException}
 * naming a structure, or gives tables that the writer writes without complaint and that read back equal. Any other
 * throwable is a finding. The normal test run replays {@code HotPatchTablesReaderFuzzTestInputs/readsOrRefuses}
 * (the crash corpus) and a few random valid tables; ./fuzz seeds it also with the tables of patches made from
 * sample pairs (docs/fuzzing.md).
 */
@Tag("fuzz")
class HotPatchTablesReaderFuzzTest {
    /** Sample pairs whose patches give seeds: code, new functions, new globals, data fixups, new imports. */
    private static final List<String> SCENARIOS = List.of("constant_changed", "new_helper", "new_global",
            "pointer_table_changed", "new_import");

    static Stream<Arguments> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        LongStream.range(0, FuzzSeeds.fuzzing() ? 64 : 8)
                .forEach(seed -> seeds.add(HotPatchTablesWriter.write(RandomTables.generate(seed))));
        if (FuzzSeeds.fuzzing()) {
            for (String machine : List.of("x86", "x64", "arm64")) {
                for (String scenario : SCENARIOS) {
                    patchTables(machine, scenario).ifPresent(seeds::add);
                }
            }
        }
        return seeds.stream().map(b -> Arguments.of((Object) b));
    }

    /** The tables of the patch made from a sample pair, when the pair is built and patchable. */
    private static Optional<byte[]> patchTables(String machine, String scenario) throws Exception {
        Path dir = RepoPaths.testdataBin().resolve(machine).resolve(scenario);
        if (!Files.isRegularFile(dir.resolve("v1.dll"))) {
            return Optional.empty();
        }
        Packager.Made made;
        try {
            made = Packager.make(dir.resolve("v1.dll"), dir.resolve("v2.dll"), Differ.Options.defaults(),
                    PatchWriter.Options.first());
        } catch (PatchRefusedException refused) {
            return Optional.empty();    // a pair the writer cannot patch yet gives no seed
        }
        if (made.patch().isEmpty()) {
            return Optional.empty();
        }
        return PatchImageTables.read(PeReader.read(made.patch().get(), scenario + ".patch"))
                .map(HotPatchTablesWriter::write);
    }

    @MethodSource("seeds")
    @FuzzTest
    void readsOrRefuses(byte[] input) {
        HotPatchTables tables;
        try {
            tables = HotPatchTablesReader.read(input);
        } catch (PatchFormatException refused) {
            assertFalse(refused.structure().isEmpty() || refused.field().isEmpty(), refused::getMessage);
            return;
        }
        byte[] written = HotPatchTablesWriter.write(tables);
        try {
            assertEquals(tables, HotPatchTablesReader.read(written), "tables read back differ from what was read");
        } catch (PatchFormatException e) {
            throw new AssertionError("the reader refuses what the writer wrote from tables it read: "
                    + e.getMessage(), e);
        }
    }
}
