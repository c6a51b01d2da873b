package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.pe.PeImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hotpatch verify PATCH --base OLD --trust ANCHOR}: what an apply engine must check before it trusts a patch. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Checks a signed patch image as the apply engine must before trusting it, and reports every "
                + "failure at once: the Authenticode digest and signature, the chain to the pinned trust anchor (never "
                + "the system's trust store), the code-signing and hotpatch-signing key usages, the certificates' "
                + "validity (at the time-stamp's time when there is a trusted one), the base the patch was made for, "
                + "the sequence number, and the patch tables' structure.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every check holds",
            "  5  at least one check failed (each failure is listed with its kind)",
            "  2  usage error",
            "  1  an input could not be read, or an internal error"
        })
final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATCH", description = "the signed patch image")
    Path patchFile;

    @Option(names = "--base", required = true, paramLabel = "OLD", description = "the base image the patch must be for")
    Path baseFile;

    @Option(names = "--trust", required = true, paramLabel = "ANCHOR",
            description = "pinned trust anchor: a certificate file (PEM or DER); repeatable")
    List<Path> anchors;

    @Option(names = "--min-sequence", defaultValue = "0", paramLabel = "N",
            description = "refuse patches whose sequence number is below N (default ${DEFAULT-VALUE})")
    long minSequence;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Sequences.checkMinimum(minSequence);
        Inputs.requirePeFile(patchFile, "the patch image");
        PeImage base = Inputs.readImage(baseFile, "the base image the patch must be for");
        PatchVerification v = PatchVerification.of(Inputs.readBytes(patchFile, "the patch image"), base, CertificateChains.readAnchors(anchors),
                minSequence);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? v.toJson(patchFile.toString(), baseFile.toString()) + "\n"
                : v.toText(patchFile.toString(), baseFile.toString()));
        out.flush();
        return v.trusted() ? ExitCodes.OK : ExitCodes.NOT_VERIFIED;
    }
}
