package dev.hotpatch.cli;

import dev.hotpatch.packager.apply.OfflineApplier;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.signer.keys.CertificateChains;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch apply BASE PATCH -o OUT --trust ANCHOR}: the engine's steps, offline, into a runnable patched image. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Verifies a patch image as `hotpatch verify` does, then applies it to its base offline and "
                + "writes the patched image: the patch's code and data appended, references into the base filled in, "
                + "jumps written at the replaced functions. It needs --trust, or --no-verify to skip the signature "
                + "check (never the structural checks, the base identity or --min-sequence).",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the patched image was written",
            "  5  the patch does not verify: signature, chain, structure, base or sequence (the failures are "
                    + "printed); nothing written",
            "  4  the patch cannot be applied to this base by the offline applier; nothing written",
            "  2  usage error (no --trust and no --no-verify, an output that exists without --force, or is an "
                    + "input); nothing written",
            "  1  an input could not be read, or an internal error; nothing written"
        })
final class ApplyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BASE", description = "the base image the patch was created for")
    Path baseFile;

    @Parameters(index = "1", paramLabel = "PATCH", description = "the patch image")
    Path patchFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the patched image")
    Path out;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @Option(names = "--trust", paramLabel = "ANCHOR",
            description = "verify the patch against this pinned trust anchor first, as the engine does (repeatable)")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--no-verify",
            description = "skip the signature check (with a warning); the structure, base and sequence are still checked")
    boolean noVerify;

    @Option(names = "--min-sequence", defaultValue = "0", paramLabel = "N",
            description = "refuse patches whose sequence number is below N (default ${DEFAULT-VALUE})")
    long minSequence;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (trust.isEmpty() && !noVerify) {
            throw new Errors.UsageException("apply verifies the patch first: give --trust ANCHOR (the certificate the "
                    + "signing chain must end at), or --no-verify to skip the signature check");
        }
        if (!trust.isEmpty() && noVerify) {
            throw new Errors.UsageException("--trust and --no-verify contradict each other; give one");
        }
        Sequences.checkMinimum(minSequence);
        Inputs.requirePeFile(baseFile, "the base image the patch was made for");
        Inputs.requirePeFile(patchFile, "the patch image");
        Outputs.check(out, "-o", force, baseFile, patchFile);
        // Each file is read once: the bytes verified are the bytes applied.
        byte[] baseBytes = Inputs.readBytes(baseFile, "the base image");
        byte[] patchBytes = Inputs.readBytes(patchFile, "the patch image");
        PeImage base;
        try {
            base = PeReader.read(baseBytes, baseFile.getFileName().toString());
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(baseFile.toString(), e);
        }
        PatchVerification v;
        if (noVerify) {
            err.println("hotpatch: WARNING: --no-verify: the patch's signature is NOT checked, so nothing says who made "
                    + "it; its structure, base and sequence are checked.");
            v = PatchVerification.structureOnly(patchBytes, base, minSequence);
        } else {
            v = PatchVerification.of(patchBytes, base, CertificateChains.readAnchors(trust), minSequence);
        }
        if (!v.trusted()) {
            err.print(v.toText(patchFile.toString(), baseFile.toString()));
            err.println("hotpatch: not applied: the patch does not verify; " + out + " was not written.");
            err.flush();
            return ExitCodes.NOT_VERIFIED;
        }
        byte[] patched;
        try {
            patched = OfflineApplier.apply(base, baseBytes, patchBytes);
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(patchFile.toString(), e);
        } catch (PatchFormatException e) {
            err.println("hotpatch: not applied: " + patchFile + " is not a valid patch image: " + e.getMessage()
                    + "; " + out + " was not written.");
            err.flush();
            return ExitCodes.NOT_VERIFIED;
        } catch (OfflineApplier.ApplyException e) {
            err.println("hotpatch: not applied: " + e.getMessage());
            err.flush();
            return ExitCodes.NOT_HOTPATCHABLE;
        }
        // The patched image is runnable like its base: it keeps the base's mode.
        Outputs.write(out, patched, Optional.of(baseFile));
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
