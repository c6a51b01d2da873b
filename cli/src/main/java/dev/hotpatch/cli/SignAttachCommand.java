package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.signer.DetachedSigning;
import dev.hotpatch.signer.timestamp.Timestamper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch sign-attach IMAGE --request REQ --signature SIG --cert-chain PEM -o OUT}: step 3 of detached signing. */
@Command(name = "sign-attach", mixinStandardHelpOptions = true,
        description = "Step 3 of detached signing: checks the raw signature made elsewhere over REQ.tbs against the "
                + "signer's certificate, checks that IMAGE has not changed since the request, optionally time-stamps, "
                + "and writes the signed image.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  the signed image was written", "  2  usage error",
            "  1  an input could not be read, the signature does not match, or time-stamping failed; nothing written"})
final class SignAttachCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the PE image the request was made for")
    Path image;

    @Option(names = "--request", required = true, paramLabel = "REQ", description = "the request from sign-request")
    Path request;

    @Option(names = "--signature", required = true, paramLabel = "SIG",
            description = "the raw signature over REQ.tbs (RSA PKCS#1 v1.5 or DER ECDSA)")
    Path signature;

    @Option(names = "--cert-chain", required = true, paramLabel = "PEM", description = "the signer's certificate and its issuers")
    Path chain;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the signed image")
    Path out;

    @Mixin
    SigningOptions signing = new SigningOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<Timestamper> ts = signing.toSignOptions().timestamper();
        DetachedSigning.attachFile(image, request, Files.readAllBytes(signature), CertificateChains.readChainFile(chain), ts, out);
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
