package dev.hotpatch.signer.timestamp;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Rfc3161Timestamper} talks to time-stamping servers.
 *
 * @param servers           the servers in order of preference; the next is tried when one gives no valid token
 * @param attemptsPerServer how often one server is asked before the next is tried (transient failures only:
 *                          refused or timed-out connections, HTTP 5xx, 408 and 429)
 * @param firstBackoff      the pause before the second attempt; it doubles before each further attempt
 * @param connectTimeout    how long to wait for a connection
 * @param readTimeout       how long the whole answer may take once connected
 * @param maxResponseBytes  the largest answer accepted; a token with its certificates is a few kilobytes
 */
public record TimestampSettings(List<URI> servers, int attemptsPerServer, Duration firstBackoff,
                                Duration connectTimeout, Duration readTimeout, int maxResponseBytes) {

    public static final int DEFAULT_ATTEMPTS = 3;
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;
    /** Bounds that keep a misconfiguration from turning into an endless or unbounded wait. */
    public static final int MAX_ATTEMPTS = 10;
    public static final int MAX_RESPONSE_BYTES_LIMIT = 16 * 1024 * 1024;

    public TimestampSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one time-stamping server is needed");
        }
        for (URI server : servers) {
            String scheme = server.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("time-stamping server " + server
                        + " is not an http:// or https:// URL");
            }
        }
        if (attemptsPerServer < 1 || attemptsPerServer > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("attempts per server must be 1 to " + MAX_ATTEMPTS + ", not "
                    + attemptsPerServer);
        }
        requirePositive(Objects.requireNonNull(connectTimeout, "connectTimeout"), "connect timeout");
        requirePositive(Objects.requireNonNull(readTimeout, "readTimeout"), "read timeout");
        if (Objects.requireNonNull(firstBackoff, "firstBackoff").isNegative()) {
            throw new IllegalArgumentException("the backoff must not be negative");
        }
        if (maxResponseBytes < 1 || maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT) {
            throw new IllegalArgumentException("the response limit must be 1 to " + MAX_RESPONSE_BYTES_LIMIT
                    + " bytes, not " + maxResponseBytes);
        }
    }

    /** The defaults: three attempts per server, 1 s then 2 s apart, 10 s to connect, 30 s to answer, 256 KiB. */
    public static TimestampSettings of(List<URI> servers) {
        return new TimestampSettings(servers, DEFAULT_ATTEMPTS, DEFAULT_FIRST_BACKOFF, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_READ_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES);
    }

    private static void requirePositive(Duration d, String what) {
        if (d.isZero() || d.isNegative() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the " + what + " must be positive and below 24 days, not " + d);
        }
    }
}
