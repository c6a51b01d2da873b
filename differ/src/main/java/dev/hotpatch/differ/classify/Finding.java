package dev.hotpatch.differ.classify;

/**
 * A difference that makes a hotpatch unsafe, said in terms of functions and globals, with what to do instead.
 *
 * @param kind    a stable identifier (global_size_changed, ...)
 * @param subject the function, global or export concerned
 * @param message one sentence: what is wrong
 * @param advice  one sentence: what to do instead
 */
public record Finding(Kind kind, String subject, String message, String advice) {
    public enum Kind {
        GLOBAL_SIZE_CHANGED, GLOBAL_INITIAL_VALUE_CHANGED, EXPORT_ADDED, EXPORT_RETARGETED, ENTRY_POINT_CHANGED,
        TLS_CHANGED, RESOURCES_CHANGED, FUNCTION_TOO_SHORT, ENTRY_IS_BRANCH_TARGET, MACHINE_CHANGED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
