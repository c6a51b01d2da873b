package dev.hotpatch.pe;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hotpatch.report.PeReport;
import dev.hotpatch.testsupport.FuzzSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes {@link PeReader#read(byte[], String)} and what {@code hotpatch inspect} renders from the image: any
 * input either reads (and its report renders as text and JSON) or fails with {@link PeFormatException} naming a
 * structure. Any other throwable (a runtime exception, StackOverflowError, OutOfMemoryError) is a finding. The
 * normal test run replays {@code PeReaderFuzzTestInputs/readsOrRefuses} (the crash corpus) and one sample per
 * machine; ./fuzz runs it in fuzzing mode, seeded from the samples and the malformed corpus (docs/fuzzing.md).
 */
@Tag("fuzz")
class PeReaderFuzzTest {

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fuzzing()
                ? FuzzSeeds.asSeeds(Stream.concat(FuzzSeeds.samples(), FuzzSeeds.malformedCorpus()))
                : FuzzSeeds.asSeeds(FuzzSeeds.regressionSamples());
    }

    @MethodSource("seeds")
    @FuzzTest
    void readsOrRefuses(byte[] input) {
        PeImage image;
        try {
            image = PeReader.read(input, "fuzz.bin");
        } catch (PeFormatException refused) {
            assertFalse(refused.structure().isEmpty() || refused.field().isEmpty(), refused::getMessage);
            return;
        }
        PeReport report = new PeReport(image);
        report.toText();
        report.toJson();
    }
}
