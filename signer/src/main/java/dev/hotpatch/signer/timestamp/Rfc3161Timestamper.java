package dev.hotpatch.signer.timestamp;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.SignerException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 3161 client: asks each server in turn for a token over the digest of a signature value, retrying
 * transient failures with a doubling backoff, and returns the first token that answers the request.
 */
public final class Rfc3161Timestamper implements Timestamper {
    private static final int NONCE_BITS = 64;

    private final TimestampSettings settings;
    private final SecureRandom random = new SecureRandom();

    public Rfc3161Timestamper(TimestampSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public byte[] timestamp(byte[] signatureValue, DigestAlgorithm digest) throws SignerException {
        byte[] imprint = digest.digest(signatureValue);
        List<String> failures = new ArrayList<>();
        for (URI server : settings.servers()) {
            try {
                return askWithRetries(server, digest.oid(), imprint);
            } catch (ServerFailed e) {
                failures.add(server + " " + e.summary);
            }
        }
        if (failures.size() == 1) {
            throw new SignerException("time-stamping server " + failures.get(0)
                    + "; check the server or pass another --timestamp-url");
        }
        throw new SignerException("no time-stamping server gave a token: " + String.join(", ", failures)
                + "; check the servers or pass another --timestamp-url");
    }

    private byte[] askWithRetries(URI server, ASN1ObjectIdentifier digestOid, byte[] imprint)
            throws ServerFailed, SignerException {
        List<TsaFailure> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= settings.attemptsPerServer(); attempt++) {
            if (attempt > 1) {
                pause(settings.firstBackoff().toMillis() << (attempt - 2), server);
            }
            TimeStampRequest request = request(digestOid, imprint);
            try {
                return TimestampResponseCheck.tokenFor(request, TsaHttp.post(server, encode(request), settings));
            } catch (TsaFailure failure) {
                failures.add(failure);
                if (!failure.isTransient()) {
                    break;
                }
            }
        }
        throw new ServerFailed(summarise(failures));
    }

    private TimeStampRequest request(ASN1ObjectIdentifier digestOid, byte[] imprint) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        return generator.generate(digestOid, imprint, new BigInteger(NONCE_BITS, random));
    }

    private static byte[] encode(TimeStampRequest request) {
        try {
            return request.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("a time-stamp request built here cannot be encoded", e);
        }
    }

    /** "answered HTTP 500 three times", or the last reason and how many attempts there were. */
    private static String summarise(List<TsaFailure> failures) {
        String last = failures.get(failures.size() - 1).reason();
        if (failures.size() == 1) {
            return last;
        }
        boolean same = failures.stream().allMatch(f -> f.reason().equals(last));
        return same ? last + " " + times(failures.size())
                : last + " (the last of " + failures.size() + " attempts)";
    }

    private static String times(int n) {
        return switch (n) {
            case 2 -> "twice";
            case 3 -> "three times";
            default -> n + " times";
        };
    }

    private static void pause(long millis, URI server) throws SignerException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignerException("interrupted while waiting to ask time-stamping server " + server
                    + " again; run the command again", e);
        }
    }

    /** Every attempt at one server failed; {@code summary} completes a sentence that starts with its URL. */
    private static final class ServerFailed extends Exception {
        final String summary;

        ServerFailed(String summary) {
            super(summary, null, false, false);
            this.summary = summary;
        }
    }
}
