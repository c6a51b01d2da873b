package dev.hotpatch.cli;

import dev.hotpatch.signer.DetachedSigning;
import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.SigningRequest;
import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.signer.keys.SigningKeyCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch sign-attach IMAGE --request REQ --signature SIG --cert-chain PEM -o OUT}: step 3 of detached signing. */
@Command(name = "sign-attach", mixinStandardHelpOptions = true,
        description = "Step 3 of detached signing: checks the raw signature made elsewhere over REQ.tbs against the "
                + "signer's certificate, checks that IMAGE has not changed since the request, optionally time-stamps, "
                + "and writes the signed image (with IMAGE's file mode). The digest and program name were fixed by "
                + "sign-request.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  the signed image was written",
            "  2  usage error (including an output that exists without --force, or is an input); nothing written",
            "  1  an input could not be read, the signature does not match, the certificate is not usable, or "
                    + "time-stamping failed; nothing written"})
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

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @Mixin
    TimestampOptions timestamps = new TimestampOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Inputs.requirePeFile(image, "the PE image the request was made for");
        Inputs.requireFile(request, "the request file from sign-request");
        Inputs.requireFile(signature, "the raw signature over the request's .tbs file");
        Inputs.requireFile(chain, "the signer's certificate chain (PEM)");
        Outputs.check(out, "-o", force, image, request, signature, chain);
        byte[] bytes = Inputs.readBytes(image, "the PE image the request was made for");
        List<X509Certificate> certificates = CertificateChains.readChainFile(chain);
        requireUsable(certificates, SignCommand.isPatchImage(bytes));
        byte[] signed = DetachedSigning.attach(bytes, SigningRequest.read(request),
                Inputs.readBytes(signature, "the raw signature"), certificates, timestamps.timestamper());
        Outputs.write(out, signed, Optional.of(image));
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** Refuses a signer certificate that verification would refuse (expired, not yet valid, lacking key usages). */
    static void requireUsable(List<X509Certificate> chain, boolean forPatches) throws SignerException {
        if (chain.isEmpty()) {
            throw new SignerException("the certificate chain is empty; pass the signer's certificate first");
        }
        SigningKeyCheck.requireUsable(chain.get(0), Instant.now(), forPatches);
    }
}
