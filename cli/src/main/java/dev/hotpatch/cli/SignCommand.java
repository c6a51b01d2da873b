package dev.hotpatch.cli;

import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.signer.Signer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hotpatch sign IMAGE -o OUT}: Authenticode-signs a patch image (or any PE) with a release key. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Signs a PE image (a patch image, or any DLL/EXE/SYS) with Authenticode: SHA-256 or SHA-384, "
                + "RSA 3072+ or ECDSA P-256/P-384, an optional RFC 3161 time-stamp. The key comes from a keystore, PEM "
                + "files or a PKCS#11 token; without one, the development key (created on first use, for development "
                + "only). The key must be valid now and allow code signing, and hotpatch signing for a patch image. "
                + "An existing signature is replaced; OUT keeps IMAGE's file mode.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  the signed image was written",
            "  2  usage error (including an output that exists without --force, or is IMAGE); nothing written",
            "  1  an input could not be read, the key could not be loaded or is not usable, or time-stamping failed; "
                    + "nothing written"})
final class SignCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the PE image to sign")
    Path image;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the signed image")
    Path out;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

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
        Inputs.requirePeFile(image, "the PE image to sign");
        Outputs.check(out, "-o", force, image);
        byte[] bytes = Inputs.readBytes(image, "the PE image to sign");
        SigningKeys.Loaded k = SigningKeys.load(key, isPatchImage(bytes));
        byte[] signed = Signer.sign(bytes, k.key(), signature.toSignOptions(timestamps));
        k.announce(spec.commandLine().getErr());
        Outputs.write(out, signed, Optional.of(image));
        spec.commandLine().getOut().println("wrote " + out + ", signed by " + k.key().certificate().getSubjectX500Principal());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** Whether the image holds hot-patch tables (a damaged table still makes it a patch image). */
    static boolean isPatchImage(byte[] bytes) throws Errors.InputException {
        try {
            return PatchImageTables.read(PeReader.read(bytes, "image")).isPresent();
        } catch (PatchFormatException e) {
            return true;
        } catch (PeFormatException e) {
            throw new Errors.InputException("the image to sign is not a valid PE image: " + e.getMessage(), e);
        }
    }
}
