package dev.hotpatch.signer;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * What a verification trusts and when it runs.
 *
 * @param anchors              the pinned trust anchors (our private root, or a pinned signer certificate); the
 *                             signer's and the TSA's chains must lead to one of them, the JVM's cacerts are never
 *                             consulted
 * @param requireHotpatchUsage require {@link HotpatchOids#HOTPATCH_SIGNING} besides id-kp-codeSigning on the
 *                             signer's certificate (true for patches; false to verify ordinary signed PEs)
 * @param clock                the verification clock, used when no trusted time-stamp gives the signing time
 */
public record VerifyOptions(List<X509Certificate> anchors, boolean requireHotpatchUsage, Clock clock) {
    public VerifyOptions {
        anchors = List.copyOf(anchors);
        Objects.requireNonNull(clock, "clock");
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("verification needs at least one pinned trust anchor");
        }
    }

    /** Patch verification: these anchors, the hotpatch EKU required, the system clock. */
    public static VerifyOptions pinned(List<X509Certificate> anchors) {
        return new VerifyOptions(anchors, true, Clock.systemUTC());
    }

    public VerifyOptions withRequireHotpatchUsage(boolean require) {
        return new VerifyOptions(anchors, require, clock);
    }

    public VerifyOptions withClock(Clock c) {
        return new VerifyOptions(anchors, requireHotpatchUsage, c);
    }
}
