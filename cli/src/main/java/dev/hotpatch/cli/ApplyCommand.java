package dev.hotpatch.cli;

import dev.hotpatch.signer.keys.CertificateChains;
import dev.hotpatch.packager.apply.OfflineApplier;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hotpatch apply BASE PATCH -o OUT}: the engine's steps, offline, into a runnable patched image. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Applies a patch image to its base offline and writes the patched image: the patch's code "
                + "and data appended, references into the base filled in, jumps written at the replaced functions. "
                + "With --trust it first verifies the patch as `hotpatch verify` does and refuses one that fails.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the patched image was written",
            "  4  the patch does not fit this base (another build, or something the applier cannot do); nothing written",
            "  5  with --trust: the patch does not verify (the failures are printed); nothing written",
            "  2  usage error",
            "  1  an input could not be read, or an internal error"
        })
final class ApplyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BASE", description = "the base image the patch was created for")
    Path baseFile;

    @Parameters(index = "1", paramLabel = "PATCH", description = "the patch image")
    Path patchFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the patched image")
    Path out;

    @Option(names = "--trust", paramLabel = "ANCHOR",
            description = "verify the patch against this pinned trust anchor first, as the engine does (repeatable)")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--min-sequence", defaultValue = "0", paramLabel = "N",
            description = "with --trust: refuse patches whose sequence number is below N")
    long minSequence;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Each file is read once: the bytes verified are the bytes applied.
        byte[] baseBytes = Files.readAllBytes(baseFile);
        byte[] patchBytes = Files.readAllBytes(patchFile);
        PeImage base;
        try {
            base = PeReader.read(baseBytes, baseFile.getFileName().toString());
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(baseFile.toString(), e);
        }
        if (!trust.isEmpty()) {
            PatchVerification v = PatchVerification.of(patchBytes, base, CertificateChains.readAnchors(trust), minSequence);
            if (!v.trusted()) {
                spec.commandLine().getOut().print(v.toText(patchFile.toString(), baseFile.toString()));
                spec.commandLine().getOut().println("hotpatch: not applied: the patch does not verify.");
                spec.commandLine().getOut().flush();
                return ExitCodes.NOT_VERIFIED;
            }
        }
        try {
            AtomicFile.write(out, OfflineApplier.apply(base, baseBytes, patchBytes));
        } catch (PeFormatException e) {
            throw Errors.InputException.malformed(patchFile.toString(), e);
        } catch (PatchFormatException e) {
            throw new Errors.InputException(patchFile + " is not a valid patch image: " + e.getMessage() + ".", e);
        } catch (OfflineApplier.ApplyException e) {
            spec.commandLine().getErr().println("hotpatch: not applied: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.NOT_HOTPATCHABLE;
        }
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
