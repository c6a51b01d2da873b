package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchRefusedException;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.SignOptions;
import dev.hotpatch.signer.Signer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch create OLD NEW -o PATCH}: diff, write the patch image, sign it, verify what was written. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Diffs two builds and writes a signed patch image holding the changed and new functions "
                + "(docs/format.md), then verifies what it wrote as `hotpatch verify` does. Without a key option it "
                + "signs with the development key (created on first use in the user's configuration directory; for "
                + "development only). Nothing is written when there is nothing to patch or it cannot be hotpatched.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the patch was written, signed and verified",
            "  3  nothing to patch; nothing written",
            "  4  the difference cannot be hotpatched (the reasons are printed); nothing written",
            "  5  the signed patch did not verify (the failures are printed); nothing written",
            "  2  usage error",
            "  1  an input could not be read, the key could not be loaded, or an internal error"
        })
final class CreateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "the base image (the build that runs now)")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "the fixed build")
    Path newFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATCH", description = "where to write the patch image")
    Path out;

    @Option(names = "--sequence", defaultValue = "1", description = "the patch's sequence number (default ${DEFAULT-VALUE})")
    long sequence;

    @Option(names = "--min-sequence", defaultValue = "0", description = "the lowest sequence it supersedes (default ${DEFAULT-VALUE})")
    long minSequence;

    @Option(names = "--unsigned", description = "write the patch unsigned (to sign it later, e.g. with sign-request)")
    boolean unsigned;

    @Option(names = "--trust", paramLabel = "ANCHOR",
            description = "trust anchor to verify the signed patch against (default: the development root, or the top "
                    + "of the signing chain)")
    List<Path> trust = new ArrayList<>();

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
        PrintWriter out = spec.commandLine().getOut();
        SigningKeys.Loaded signer = unsigned ? null : SigningKeys.loadWithAnchor(key, spec.commandLine().getErr());
        SignOptions signOptions = unsigned ? null : signing.toSignOptions();
        List<X509Certificate> anchors = unsigned ? List.of() : SigningKeys.anchorsFor(signer, CertificateChains.readAnchors(trust));
        Packager.Made made;
        try {
            made = Packager.make(oldFile, newFile, Differ.Options.defaults(),
                    new PatchWriter.Options(sequence, minSequence, true));
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(oldFile + " or " + newFile, e);
        } catch (DifferException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (PatchRefusedException e) {
            out.println("hotpatch: not written: " + e.getMessage());
            out.flush();
            return ExitCodes.NOT_HOTPATCHABLE;
        }
        DiffResult diff = made.diff();
        if (made.patch().isEmpty()) {
            if (diff.verdict() == DiffResult.Verdict.NOTHING_TO_PATCH) {
                out.println("hotpatch: nothing to patch; " + this.out + " was not written.");
            } else {
                out.println("hotpatch: the difference cannot be hotpatched; " + this.out + " was not written.");
                for (Finding f : diff.findings()) {
                    out.println("  " + f.message());
                    out.println("    instead: " + f.advice());
                }
            }
            out.flush();
            return diff.verdict().exitCode();
        }
        // Signed and verified in memory; the file is written once, and only when it verifies.
        byte[] patch = made.patch().get();
        if (!unsigned) {
            patch = Signer.sign(patch, signer.key(), signOptions);
            PatchVerification check = PatchVerification.of(patch, made.base(), anchors, 0);
            if (!check.trusted()) {
                out.print(check.toText(this.out.toString(), oldFile.toString()));
                out.println("hotpatch: the signed patch did not verify; " + this.out + " was not written.");
                out.flush();
                return ExitCodes.NOT_VERIFIED;
            }
        }
        AtomicFile.write(this.out, patch);
        out.printf("wrote %s (%d bytes%s): %d changed and %d new functions%n", this.out, patch.length,
                unsigned ? ", unsigned" : ", signed by " + signer.key().certificate().getSubjectX500Principal() + ", verified",
                diff.withStatus(dev.hotpatch.differ.classify.Status.CHANGED).size(),
                diff.withStatus(dev.hotpatch.differ.classify.Status.NEW).size());
        out.flush();
        return ExitCodes.OK;
    }
}
