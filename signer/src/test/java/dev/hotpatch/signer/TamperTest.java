package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.PeLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every single byte of a signed image flipped, one at a time, plus truncations and appended bytes: the verifier
 * must report at least one failure each time and throw nothing. Besides the CheckSum's own four bytes, every flip
 * must also be caught by something other than the CheckSum, so that the Authenticode checks themselves cover the
 * whole file.
 */
class TamperTest {
    private static final Fixtures PKI = Fixtures.get();
    private static Path sample;
    private static byte[] signed;
    private static PeLayout layout;

    @BeforeAll
    static void signSmallestSample() throws Exception {
        sample = Samples.smallest();
        signed = Signer.sign(Samples.bytes(sample), PKI.ecP256, SignOptions.defaults());
        layout = PeLayout.read(signed);
        VerificationReport clean = Verifier.verify(signed, PKI.options());
        assertTrue(clean.trusted(), clean.describe());
    }

    /** Problems found, one line each; empty when the tampered image was caught properly. */
    private static List<String> problems(byte[] image, String what, boolean beyondChecksum) {
        try {
            VerificationReport r = Verifier.verify(image, PKI.options());
            if (r.trusted()) {
                return List.of(what + ": verified although tampered");
            }
            if (r.describe().contains("unexpected error")) {
                return List.of(what + ": " + r.describe());
            }
            if (beyondChecksum && r.kinds().equals(Set.of(FailureKind.BAD_CHECKSUM))) {
                return List.of(what + ": only the CheckSum noticed");
            }
            return List.of();
        } catch (Throwable t) {
            return List.of(what + ": threw " + t);
        }
    }

    @Test
    void everyByteFlippedIsCaught() {
        long start = System.nanoTime();
        int checksum = layout.checksumOffset();
        List<String> found = Collections.synchronizedList(new ArrayList<>());
        IntStream.range(0, signed.length).parallel().forEach(i -> {
            byte[] copy = signed.clone();
            copy[i] ^= (byte) 0xFF;
            boolean inChecksum = i >= checksum && i < checksum + 4;
            found.addAll(problems(copy, "byte 0x" + Integer.toHexString(i) + " flipped", !inChecksum));
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("tamper: %d single-byte flips of %s signed (%d bytes, certificate table at 0x%x) in %d ms%n",
                signed.length, RepoPathsShort.of(sample), signed.length, layout.certificateTableOffset(), ms);
        assertEquals(List.of(), found.subList(0, Math.min(20, found.size())));
    }

    @Test
    void truncationsAreCaught() {
        int table = (int) layout.certificateTableOffset();
        int[] lengths = {0, 1, 63, 64, 0x3c + 4, 0x100, 0x200, table - 1, table, table + 4, table + 8, table + 9,
                table + 100, signed.length - 100, signed.length - 8, signed.length - 1};
        List<String> found = new ArrayList<>();
        for (int n : lengths) {
            found.addAll(problems(Arrays.copyOf(signed, n), "truncated to " + n + " bytes", false));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void appendedBytesAreCaught() {
        Random random = new Random(7);
        List<String> found = new ArrayList<>();
        for (int n : new int[] {1, 7, 8, 16, 4096}) {
            byte[] zeros = Arrays.copyOf(signed, signed.length + n);
            found.addAll(problems(zeros, n + " zero bytes appended", false));
            byte[] noise = zeros.clone();
            for (int i = signed.length; i < noise.length; i++) {
                noise[i] = (byte) random.nextInt();
            }
            found.addAll(problems(noise, n + " random bytes appended", false));
        }
        assertEquals(List.of(), found);
        assertFalse(signed.length % 8 != 0, "a signed image ends on 8 bytes");
    }

    /** The sample's path below testdata/bin, for the report line. */
    private static final class RepoPathsShort {
        static String of(Path p) {
            return p.getParent().getParent().getFileName() + "/" + p.getParent().getFileName() + "/" + p.getFileName();
        }
    }
}
