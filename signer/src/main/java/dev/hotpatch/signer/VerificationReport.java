package dev.hotpatch.signer;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The answer of {@link Verifier}: every failure found, all at once, and what was looked at. An image may be
 * trusted only when {@link #failures()} is empty.
 *
 * @param failures in the order they were found
 * @param details  present when the signature could be parsed
 */
public record VerificationReport(Set<Failure> failures, Optional<SignatureDetails> details) {
    public VerificationReport {
        failures = Collections.unmodifiableSet(new LinkedHashSet<>(failures));
    }

    /** The kinds of the failures, for switches and JSON. */
    public Set<FailureKind> kinds() {
        return failures.isEmpty() ? EnumSet.noneOf(FailureKind.class)
                : failures.stream().map(Failure::kind).collect(Collectors.toCollection(() -> EnumSet.noneOf(FailureKind.class)));
    }

    /** Shorthand for {@code failures().isEmpty()}. */
    public boolean trusted() {
        return failures.isEmpty();
    }

    public boolean has(FailureKind kind) {
        return failures.stream().anyMatch(f -> f.kind() == kind);
    }

    /** One line per failure, "kind: message", or "signature verified". */
    public String describe() {
        return failures.isEmpty() ? "signature verified"
                : failures.stream().map(Failure::toString).collect(Collectors.joining("\n"));
    }
}
