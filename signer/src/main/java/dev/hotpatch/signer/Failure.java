package dev.hotpatch.signer;

import java.util.Objects;

/**
 * One reason a signature is not trusted.
 *
 * @param kind    what kind of failure, with a stable name for JSON
 * @param message one sentence saying what is wrong and, where it helps, what to do
 */
public record Failure(FailureKind kind, String message) {
    public Failure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return kind.id() + ": " + message;
    }
}
