package dev.hotpatch.cli;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchRefusedException;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.SignOptions;
import dev.hotpatch.signer.Signer;
import dev.hotpatch.signer.keys.CertificateChains;
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
                + "development only). Nothing is written when there is nothing to patch or it cannot be hotpatched. "
                + "The report goes to stdout, diagnostics and refusals to stderr.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the patch was written, signed and verified",
            "  3  nothing to patch; nothing written",
            "  4  the difference cannot be hotpatched (the reasons are printed); nothing written",
            "  5  the signed patch did not verify (the failures are printed); nothing written",
            "  2  usage error (including an output that exists without --force, or is an input); nothing written",
            "  1  an input could not be read, the key could not be loaded or is not usable, or an internal error"
        })
final class CreateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "the base image (the build that runs now)")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "the fixed build")
    Path newFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATCH", description = "where to write the patch image")
    Path out;

    @Option(names = "--force", description = "replace PATCH if it exists")
    boolean force;

    @Option(names = "--old-pdb", paramLabel = "PDB", description = "the old image's PDB (default: one beside it that matches)")
    Path oldPdb;

    @Option(names = "--new-pdb", paramLabel = "PDB", description = "the new image's PDB (default: one beside it that matches)")
    Path newPdb;

    @Mixin
    PatchHeaderOptions header = new PatchHeaderOptions();

    @Option(names = "--unsigned", description = "write the patch unsigned (to sign it later, e.g. with sign-request)")
    boolean unsigned;

    @Option(names = "--trust", paramLabel = "ANCHOR",
            description = "trust anchor to verify the signed patch against (default: the development root, or the top "
                    + "of the signing chain)")
    List<Path> trust = new ArrayList<>();

    @Mixin
    KeyOptions key = new KeyOptions();

    @Mixin
    SignatureOptions signature = new SignatureOptions();

    @Mixin
    TimestampOptions timestamps = new TimestampOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Everything that can be refused without the diff is refused before it: the diff of a large pair takes seconds.
        PatchWriter.Options writerOptions = header.toWriterOptions();
        Inputs.requirePeFile(oldFile, "the old build (a PE image)");
        Inputs.requirePeFile(newFile, "the new build (a PE image)");
        Inputs.requireFileIfGiven(oldPdb, "the old build's PDB");
        Inputs.requireFileIfGiven(newPdb, "the new build's PDB");
        Outputs.check(this.out, "-o", force, oldFile, newFile, oldPdb, newPdb);
        if (unsigned && (!trust.isEmpty() || key.spec().isPresent())) {
            throw new Errors.UsageException("--unsigned writes no signature, so it takes no key option and no --trust");
        }
        SigningKeys.Loaded signer = unsigned ? null : SigningKeys.load(key, true);
        SignOptions signOptions = unsigned ? null : signature.toSignOptions(timestamps);
        List<X509Certificate> anchors = unsigned ? List.of() : SigningKeys.anchorsFor(signer, CertificateChains.readAnchors(trust));

        Packager.Made made;
        try {
            made = Packager.make(oldFile, newFile,
                    new Differ.Options(Optional.ofNullable(oldPdb), Optional.ofNullable(newPdb), true),
                    writerOptions);
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(oldFile + " or " + newFile, e);
        } catch (DifferException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (PatchRefusedException e) {
            err.println("hotpatch: not written: " + e.getMessage());
            err.flush();
            return ExitCodes.NOT_HOTPATCHABLE;
        }
        DiffResult diff = made.diff();
        if (made.patch().isEmpty()) {
            if (diff.verdict() == DiffResult.Verdict.NOTHING_TO_PATCH) {
                err.println("hotpatch: nothing to patch; " + this.out + " was not written.");
            } else {
                err.println("hotpatch: the difference cannot be hotpatched; " + this.out + " was not written.");
                for (Finding f : diff.findings()) {
                    err.println("  " + f.message());
                    err.println("    instead: " + f.advice());
                }
            }
            err.flush();
            return diff.verdict().exitCode();
        }
        // Signed and verified in memory; the file is written once, and only when it verifies.
        byte[] patch = made.patch().get();
        if (!unsigned) {
            patch = Signer.sign(patch, signer.key(), signOptions);
            signer.announce(err);
            PatchVerification check = PatchVerification.of(patch, made.base(), anchors, 0);
            if (!check.trusted()) {
                err.print(check.toText(this.out.toString(), oldFile.toString()));
                err.println("hotpatch: the signed patch did not verify; " + this.out + " was not written.");
                err.flush();
                return ExitCodes.NOT_VERIFIED;
            }
        }
        Outputs.write(this.out, patch, Optional.empty());
        out.printf("wrote %s (%d bytes%s): %d changed and %d new functions, sequence %d%s%n", this.out, patch.length,
                unsigned ? ", unsigned" : ", signed by " + signer.key().certificate().getSubjectX500Principal() + ", verified",
                diff.withStatus(Status.CHANGED).size(), diff.withStatus(Status.NEW).size(), header.sequence,
                (header.cumulative ? ", cumulative" : "") + (header.obligatory ? ", obligatory" : ""));
        out.flush();
        return ExitCodes.OK;
    }
}
