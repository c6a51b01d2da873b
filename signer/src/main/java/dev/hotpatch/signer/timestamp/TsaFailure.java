package dev.hotpatch.signer.timestamp;

/**
 * One failed exchange with one server. {@code reason} completes a sentence that starts with the server's URL
 * ("refused the connection", "answered HTTP 500"); {@code transient} says whether asking again may help.
 */
final class TsaFailure extends Exception {
    private final boolean transientFailure;

    TsaFailure(String reason, boolean transientFailure) {
        super(reason, null, false, false);
        this.transientFailure = transientFailure;
    }

    String reason() {
        return getMessage();
    }

    boolean isTransient() {
        return transientFailure;
    }
}
