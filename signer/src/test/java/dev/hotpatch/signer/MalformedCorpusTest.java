package dev.hotpatch.signer;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every file of the hostile corpus goes through verification with failures only, never an exception. */
class MalformedCorpusTest {
    private static final Fixtures PKI = Fixtures.get();

    private static Path corpus() {
        return ExternalTools.requirePath(RepoPaths.shared().resolve("corpus").resolve("malformed"),
                "the malformed PE corpus");
    }

    @Test
    void everyCorpusFileFailsVerificationCleanly() throws Exception {
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(corpus())) {
            for (Path p : s.sorted().filter(f -> !f.getFileName().toString().equals("README.md")).toList()) {
                files++;
                try {
                    VerificationReport r = Verifier.verifyFile(p, PKI.options());
                    if (r.trusted() || r.describe().contains("unexpected error")) {
                        problems.add(p.getFileName() + ": " + r.describe());
                    }
                } catch (SignerException e) {
                    // a checked error is allowed (a file that cannot be read); nothing here should need it
                    problems.add(p.getFileName() + ": " + e.getMessage());
                } catch (Throwable t) {
                    problems.add(p.getFileName() + ": threw " + t);
                }
            }
        }
        assertTrue(files > 200, "the corpus holds " + files + " files");
        assertEquals(List.of(), problems);
    }

    @Test
    void signatureExeIsParsedAndExplainsWhyItIsNotTrusted() throws Exception {
        VerificationReport r = Verifier.verifyFile(corpus().resolve("signature.exe"), PKI.options());

        SignatureDetails d = r.details().orElseThrow(() -> new AssertionError(r.describe()));
        assertTrue(d.signerSubject().contains("OU=code signing"), d.signerSubject());
        assertEquals("SHA-1", d.digestAlgorithm());
        for (FailureKind k : List.of(FailureKind.UNTRUSTED_CHAIN, FailureKind.WEAK_ALGORITHM,
                FailureKind.CERTIFICATE_EXPIRED, FailureKind.MISSING_KEY_USAGE, FailureKind.MALFORMED_SIGNATURE)) {
            assertTrue(r.has(k), k.id() + " expected in:\n" + r.describe());
        }
    }
}
