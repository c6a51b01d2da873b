package dev.hotpatch.cli;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.SignOptions;
import dev.hotpatch.signer.SignerException;
import picocli.CommandLine.Option;

/** What goes into a signature: the digest and the program name and URL Windows shows (create, sign, sign-request). */
final class SignatureOptions {
    @Option(names = "--digest", paramLabel = "ALG", defaultValue = "sha256",
            description = "sha256 or sha384 (default ${DEFAULT-VALUE})")
    String digest;

    @Option(names = "--program-name", paramLabel = "TEXT", description = "the program name in the signature")
    String programName;

    @Option(names = "--program-url", paramLabel = "URL", description = "the program's URL in the signature")
    String programUrl;

    /** The signing options these name, with the time-stamping servers of {@code timestamps} (may be null). */
    SignOptions toSignOptions(TimestampOptions timestamps) throws Errors.UsageException {
        SignOptions o;
        try {
            o = SignOptions.defaults().withDigest(DigestAlgorithm.named(digest));
        } catch (SignerException e) {
            throw new Errors.UsageException("--digest " + digest + " is not supported; use sha256 or sha384");
        }
        if (programName != null) {
            o = o.withProgramName(programName);
        }
        if (programUrl != null) {
            o = o.withUrl(programUrl);
        }
        if (timestamps != null && timestamps.timestamper().isPresent()) {
            o = o.withTimestamper(timestamps.timestamper().get());
        }
        return o;
    }
}
