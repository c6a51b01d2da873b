package dev.hotpatch.pdb;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.testsupport.FuzzSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes {@link PdbReader#read(byte[], String)}: any input either reads (superblock, directory, info, DBI, module
 * symbols, publics, section headers, TPI sizes) or fails with {@link PeFormatException} naming a structure; any
 * other throwable is a finding. The normal test run replays {@code PdbReaderFuzzTestInputs/readsOrRefuses} (the
 * crash corpus) and one sample PDB; ./fuzz runs it in fuzzing mode, seeded from the sample PDBs (docs/fuzzing.md).
 */
@Tag("fuzz")
class PdbReaderFuzzTest {

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fuzzing() ? FuzzSeeds.asSeeds(FuzzSeeds.samplePdbs())
                : FuzzSeeds.asSeeds(FuzzSeeds.samplePdbs().limit(1));
    }

    @MethodSource("seeds")
    @FuzzTest
    void readsOrRefuses(byte[] input) {
        try {
            PdbReader.read(input, "fuzz.pdb");
        } catch (PeFormatException refused) {
            assertFalse(refused.structure().isEmpty() || refused.field().isEmpty(), refused::getMessage);
        }
    }
}
