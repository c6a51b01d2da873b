package dev.hotpatch.cli;

import dev.hotpatch.signer.Signer;
import dev.hotpatch.signer.keys.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hotpatch sign IMAGE -o OUT}: Authenticode-signs a patch image (or any PE) with a release key. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Signs a PE image (a patch image, or any DLL/EXE/SYS) with Authenticode: SHA-256 or SHA-384, "
                + "RSA 3072+ or ECDSA P-256/P-384, an optional RFC 3161 time-stamp. The key comes from a keystore, PEM "
                + "files or a PKCS#11 token; without one, the development key (created on first use, for development "
                + "only). An existing signature is replaced.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  the signed image was written", "  2  usage error",
            "  1  an input could not be read, the key could not be loaded, or time-stamping failed; nothing written"})
final class SignCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the PE image to sign")
    Path image;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the signed image")
    Path out;

    @Mixin
    KeyOptions key = new KeyOptions();

    @Mixin
    SigningOptions signing = new SigningOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SigningKey k = SigningKeys.load(key, spec.commandLine().getErr());
        Signer.signFile(image, out, k, signing.toSignOptions());
        spec.commandLine().getOut().println("wrote " + out + ", signed by " + k.certificate().getSubjectX500Principal());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
