package dev.hotpatch.signer;

import dev.hotpatch.signer.timestamp.Timestamper;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How to sign: the digest, what SpcSpOpusInfo says, whether to include a signing time, and who time-stamps.
 * Without a signing time and a time-stamp, an RSA signature of a given file and key is byte-for-byte
 * reproducible; software ECDSA keys are signed deterministically too (RFC 6979), keys behind a provider
 * (PKCS#11 tokens) with whatever randomness the provider uses.
 *
 * @param digest      SHA-256 or SHA-384, for the image digest and the signature alike
 * @param programName the program name in SpcSpOpusInfo (Windows shows it in the UAC prompt)
 * @param url         the "more information" URL in SpcSpOpusInfo
 * @param signingTime the PKCS#9 signingTime attribute; leave empty for reproducible output
 * @param timestamper who adds an RFC 3161 token over the signature value
 */
public record SignOptions(DigestAlgorithm digest, Optional<String> programName, Optional<String> url,
                          Optional<Instant> signingTime, Optional<Timestamper> timestamper) {
    public SignOptions {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(programName, "programName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(signingTime, "signingTime");
        Objects.requireNonNull(timestamper, "timestamper");
    }

    /** SHA-256, no program name, URL, signing time or time-stamp. */
    public static SignOptions defaults() {
        return new SignOptions(DigestAlgorithm.SHA256, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public SignOptions withDigest(DigestAlgorithm d) {
        return new SignOptions(d, programName, url, signingTime, timestamper);
    }

    public SignOptions withProgramName(String name) {
        return new SignOptions(digest, Optional.of(name), url, signingTime, timestamper);
    }

    public SignOptions withUrl(String u) {
        return new SignOptions(digest, programName, Optional.of(u), signingTime, timestamper);
    }

    public SignOptions withSigningTime(Instant time) {
        return new SignOptions(digest, programName, url, Optional.of(time), timestamper);
    }

    public SignOptions withTimestamper(Timestamper t) {
        return new SignOptions(digest, programName, url, signingTime, Optional.of(t));
    }
}
