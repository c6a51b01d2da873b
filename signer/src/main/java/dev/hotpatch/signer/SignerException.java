package dev.hotpatch.signer;

/**
 * A signing or verification step that cannot go on, described in one sentence that says what is wrong and what
 * to do (a keystore that does not open, a time-stamping server that does not answer, a file that is not a PE).
 */
public class SignerException extends Exception {
    public SignerException(String message) {
        super(message);
    }

    public SignerException(String message, Throwable cause) {
        super(message, cause);
    }
}
