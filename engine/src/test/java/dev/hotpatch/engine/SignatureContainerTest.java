package dev.hotpatch.engine;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's reading of the Authenticode container (engine/core/hp_sig.c) on a patch signed by `hotpatch create`
 * with a development key (the committed fuzz seed x64-constant_changed-exe-signed.hpi): the image digest, the
 * messageDigest attribute, the CheckSum and both extended key usages check out; one changed byte of code, or a
 * byte after the certificate table, is refused.
 */
class SignatureContainerTest {
    private static final Path SIGNED =
            RepoPaths.root().resolve("engine/fuzz/corpus/image/x64-constant_changed-exe-signed.hpi");

    private static HostCore.Result check(Path file) throws Exception {
        return HostCore.run(List.of(HostCore.build().resolve("hp_sigcheck").toString(), file.toString()));
    }

    @Test
    void signedPatchChecksOut() throws Exception {
        HostCore.Result r = check(SIGNED);
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("ECDSA, image digest, message digest and CheckSum match"), r.stdout());
    }

    @Test
    void changedCodeIsABadDigest(@TempDir Path tmp) throws Exception {
        byte[] bytes = Files.readAllBytes(SIGNED);
        bytes[0x405] ^= 1;                       // inside .text (file offset 0x400)
        Path tampered = tmp.resolve("tampered.hpi");
        Files.write(tampered, bytes);
        HostCore.Result r = check(tampered);
        assertEquals(5, r.exit());
        assertTrue(r.stderr().contains("bad_digest"), r.stderr());
    }

    @Test
    void bytesAfterTheCertificateTableAreRefused(@TempDir Path tmp) throws Exception {
        byte[] bytes = Files.readAllBytes(SIGNED);
        Path longer = tmp.resolve("longer.hpi");
        Files.write(longer, java.util.Arrays.copyOf(bytes, bytes.length + 8));
        HostCore.Result r = check(longer);
        assertEquals(5, r.exit());
        assertTrue(r.stderr().contains("nothing may follow it"), r.stderr());
    }
}
