package dev.hotpatch.differ;

/** The differ cannot compare these inputs (an unsupported machine, a PDB of another build); the message says why. */
public final class DifferException extends Exception {
    private static final long serialVersionUID = 1L;

    public DifferException(String message) {
        super(message);
    }

    public DifferException(String message, Throwable cause) {
        super(message, cause);
    }
}
