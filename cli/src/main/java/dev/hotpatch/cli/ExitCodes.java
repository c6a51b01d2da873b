package dev.hotpatch.cli;

/** Exit codes of every command, as documented in {@code hotpatch --help}. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    /** diff: nothing to patch. */
    public static final int NOTHING_TO_PATCH = 3;
    /** diff: a difference that cannot be hotpatched. */
    public static final int NOT_HOTPATCHABLE = 4;
    /** verify (and create, apply --trust): the signature, the chain or the patch does not verify. */
    public static final int NOT_VERIFIED = 5;
}
