package dev.hotpatch.signer.authenticode;

/**
 * A signature container or CMS structure that cannot be read, in one sentence naming the structure and what is
 * wrong with it. The verifier turns it into a {@code malformed_signature} failure.
 */
public final class SignatureFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public SignatureFormatException(String message) {
        super(message);
    }
}
