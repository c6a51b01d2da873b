package dev.hotpatch.cli;

import dev.hotpatch.signer.DetachedSigning;
import dev.hotpatch.signer.SigningRequest;
import dev.hotpatch.signer.keys.CertificateChains;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hotpatch sign-request IMAGE --cert-chain PEM --request REQ}: step 1 of signing with a key held elsewhere. */
@Command(name = "sign-request", mixinStandardHelpOptions = true,
        description = "Step 1 of detached signing: writes what must be signed for IMAGE (the DER of the signed "
                + "attributes, to REQ.tbs, and a request file REQ naming the algorithms and digests). Sign REQ.tbs "
                + "elsewhere (an HSM, `openssl pkeyutl` over its digest, `openssl dgst -sign`), then attach the "
                + "signature with `hotpatch sign-attach` (which takes --timestamp-url).",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  the request was written",
            "  2  usage error (including a request file that exists without --force, or is an input)",
            "  1  an input could not be read, or the certificate is not usable (expired, not yet valid, lacking the key "
                    + "usages)"})
final class SignRequestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the PE image to sign")
    Path image;

    @Option(names = "--cert-chain", required = true, paramLabel = "PEM", description = "the signer's certificate and its issuers")
    Path chain;

    @Option(names = "--request", required = true, paramLabel = "REQ", description = "where to write the request")
    Path request;

    @Option(names = "--force", description = "replace REQ and REQ.tbs if they exist")
    boolean force;

    @Mixin
    SignatureOptions signature = new SignatureOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Inputs.requirePeFile(image, "the PE image to sign");
        Inputs.requireFile(chain, "the signer's certificate chain (PEM)");
        Path tbs = request.resolveSibling(request.getFileName() + ".tbs");
        Outputs.check(request, "--request", force, image, chain);
        Outputs.check(tbs, "--request", force, image, chain);
        byte[] bytes = Inputs.readBytes(image, "the PE image to sign");
        List<X509Certificate> certificates = CertificateChains.readChainFile(chain);
        SignAttachCommand.requireUsable(certificates, SignCommand.isPatchImage(bytes));
        SigningRequest r = DetachedSigning.export(bytes, certificates, signature.toSignOptions(null));
        r.write(request);
        r.writeToBeSigned(tbs);
        spec.commandLine().getOut().printf("wrote %s and %s: sign %s with %s, then run hotpatch sign-attach%n", request,
                tbs, tbs, r.signatureAlgorithm());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
