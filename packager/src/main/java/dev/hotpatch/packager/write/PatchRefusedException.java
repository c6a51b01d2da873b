package dev.hotpatch.packager.write;

/** The plan holds something this writer cannot put into a patch image yet; the message names it. */
public final class PatchRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PatchRefusedException(String message) {
        super(message);
    }
}
