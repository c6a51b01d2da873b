package dev.hotpatch.cli;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.SignOptions;
import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.timestamp.Rfc3161Timestamper;
import dev.hotpatch.signer.timestamp.TimestampSettings;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** How to sign: the digest, RFC 3161 time-stamping servers, the program name shown by Windows. */
final class SigningOptions {
    @Option(names = "--digest", paramLabel = "ALG", defaultValue = "sha256",
            description = "sha256 or sha384 (default ${DEFAULT-VALUE})")
    String digest;

    @Option(names = "--timestamp-url", paramLabel = "URL",
            description = "RFC 3161 time-stamping server; repeat for fail-over (tried in order)")
    List<URI> timestampUrls = new ArrayList<>();

    @Option(names = "--program-name", paramLabel = "TEXT", description = "the program name in the signature")
    String programName;

    @Option(names = "--program-url", paramLabel = "URL", description = "the program's URL in the signature")
    String programUrl;

    SignOptions toSignOptions() throws SignerException {
        SignOptions o = SignOptions.defaults().withDigest(DigestAlgorithm.named(digest));
        if (programName != null) {
            o = o.withProgramName(programName);
        }
        if (programUrl != null) {
            o = o.withUrl(programUrl);
        }
        if (!timestampUrls.isEmpty()) {
            o = o.withTimestamper(new Rfc3161Timestamper(TimestampSettings.of(timestampUrls)));
        }
        return o;
    }
}
