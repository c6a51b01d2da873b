package dev.hotpatch.signer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.authenticode.AuthenticodeSignature;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureContainer;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import dev.hotpatch.testsupport.FuzzSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes signature parsing and verification of a signed image. The parsing steps are called first on their own
 * ({@link PeLayout#read}, {@link SignatureContainer#read}, {@link AuthenticodeSignature#parse}), where only
 * {@link PeFormatException} and {@link SignatureFormatException} are acceptable, so that anything else arrives with
 * its stack trace; then {@link Verifier#verify} must answer with a report of failures, never with an exception and
 * never with its {@link Verifier#UNEXPECTED_ERROR} failure (its catch-all for a runtime exception). The normal
 * test run replays {@code VerifierFuzzTestInputs/verifiesOrReports} (the crash corpus) and a few freshly signed
 * samples; ./fuzz seeds it with samples signed every way the signer can and the malformed corpus (docs/fuzzing.md).
 */
@Tag("fuzz")
class VerifierFuzzTest {
    private static final Fixtures PKI = Fixtures.get();
    private static final VerifyOptions OPTIONS = PKI.options();

    static Stream<Arguments> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        List<String> machines = FuzzSeeds.fuzzing() ? List.of("arm64", "x64", "x86") : List.of("arm64");
        for (String machine : machines) {
            byte[] unsigned = Samples.bytes(Samples.dll(machine));
            seeds.add(Signer.sign(unsigned, PKI.ecP256, SignOptions.defaults()));
            seeds.add(Signer.sign(unsigned, PKI.rsa3072, SignOptions.defaults().withDigest(DigestAlgorithm.SHA384)
                    .withTimestamper(new TestTimestamper(PKI.tsa, Instant.now().minusSeconds(60), false))));
            if (FuzzSeeds.fuzzing()) {
                seeds.add(Signer.sign(unsigned, PKI.expired, SignOptions.defaults().withTimestamper(
                        new TestTimestamper(PKI.tsa, Fixtures.WHILE_EXPIRED_LEAF_VALID, false))));
                seeds.add(Signer.sign(unsigned, PKI.withoutHotpatchUsage, SignOptions.defaults()));
                seeds.add(Signer.sign(unsigned, PKI.underOtherRoot, SignOptions.defaults()));
            }
        }
        Stream<Arguments> signed = seeds.stream().map(b -> Arguments.of((Object) b));
        return FuzzSeeds.fuzzing() ? Stream.concat(signed, FuzzSeeds.asSeeds(FuzzSeeds.malformedCorpus())) : signed;
    }

    @MethodSource("seeds")
    @FuzzTest
    void verifiesOrReports(byte[] input) {
        parseSteps(input);
        VerificationReport report = Verifier.verify(input, OPTIONS);
        for (Failure f : report.failures()) {
            // startsWith, not contains: the fuzzer learns the words and writes them into a certificate's subject.
            assertFalse(f.message().startsWith(Verifier.UNEXPECTED_ERROR), f::message);
        }
    }

    /** What verification parses, step by step, with only the checked errors allowed. */
    private static void parseSteps(byte[] input) {
        try {
            PeLayout layout = PeLayout.read(input);
            if (layout.signed()) {
                AuthenticodeSignature.parse(SignatureContainer.read(input, layout).signature());
            }
        } catch (PeFormatException refused) {
            assertFalse(refused.structure().isEmpty(), refused::getMessage);
        } catch (SignatureFormatException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isEmpty(), "empty message");
        }
    }
}
