package dev.hotpatch.cli;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's recipe for requesting a release certificate, run as written: a CA (made here with openssl) issues the
 * request with its extensions, and the issued key signs a patch that verifies against that CA.
 */
class ReleaseCertificateRecipeTest {

    @Test
    void theReadmeRecipeGivesAKeyThatSignsPatches(@TempDir Path tmp) throws Exception {
        ExternalTools.require("openssl", "openssl");
        String readme = Files.readString(RepoPaths.root().resolve("README.md"));
        int marker = readme.indexOf("<!-- release-certificate-recipe");
        assertTrue(marker >= 0, "the README has the recipe");
        int start = readme.indexOf("```sh\n", marker) + 6;
        String recipe = readme.substring(start, readme.indexOf("```", start));

        sh(tmp, recipe);
        sh(tmp, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem "
                + "-subj '/CN=Example CA' -days 30 -addext basicConstraints=critical,CA:TRUE "
                + "-addext keyUsage=critical,keyCertSign\n"
                + "openssl x509 -req -in release.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 "
                + "-copy_extensions copy -out release.pem\n"
                + "cat release.pem ca.pem > chain.pem\n");

        Path dir = RepoPaths.testdataBin().resolve("x64/constant_changed");
        Path patch = tmp.resolve("release.hpatch");
        StringWriter err = new StringWriter();
        var cli = HotpatchCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("create", dir.resolve("v1.dll").toString(), dir.resolve("v2.dll").toString(), "-o",
                patch.toString(), "--key", tmp.resolve("release.key").toString(), "--cert-chain",
                tmp.resolve("chain.pem").toString(), "--trust", tmp.resolve("ca.pem").toString());
        assertEquals(ExitCodes.OK, exit, err.toString());
        var verify = HotpatchCommand.commandLine();
        verify.setOut(new PrintWriter(new StringWriter()));
        verify.setErr(new PrintWriter(new StringWriter()));
        assertEquals(ExitCodes.OK, verify.execute("verify", patch.toString(), "--base", dir.resolve("v1.dll").toString(),
                "--trust", tmp.resolve("ca.pem").toString()));
    }

    private static void sh(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder(List.of("bash", "-euo", "pipefail", "-c", script)).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
