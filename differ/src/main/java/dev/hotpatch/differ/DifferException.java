package dev.hotpatch.differ;

/** The differ cannot compare these inputs (an unsupported machine, a PDB of another build); the message says why. */
public final class DifferException extends Exception {
    public DifferException(String message) {
        super(message);
    }
}
