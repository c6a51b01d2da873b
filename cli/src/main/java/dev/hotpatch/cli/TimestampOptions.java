package dev.hotpatch.cli;

import dev.hotpatch.signer.timestamp.Rfc3161Timestamper;
import dev.hotpatch.signer.timestamp.TimestampSettings;
import dev.hotpatch.signer.timestamp.Timestamper;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** RFC 3161 time-stamping servers, tried in order (create, sign, sign-attach). */
final class TimestampOptions {
    @Option(names = "--timestamp-url", paramLabel = "URL",
            description = "RFC 3161 time-stamping server (http or https); repeat for fail-over (tried in order)")
    List<URI> timestampUrls = new ArrayList<>();

    /** The time-stamper for the servers given, or empty when none is. */
    Optional<Timestamper> timestamper() throws Errors.UsageException {
        for (URI u : timestampUrls) {
            String scheme = u.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || u.getHost() == null) {
                throw new Errors.UsageException("--timestamp-url " + u + " is not an http or https URL with a host");
            }
        }
        return timestampUrls.isEmpty() ? Optional.empty()
                : Optional.of(new Rfc3161Timestamper(TimestampSettings.of(timestampUrls)));
    }
}
