package dev.hotpatch.packager.verify;

/**
 * One reason a patch image must not be applied to a base, in one sentence.
 *
 * @param kind    what kind of fault, with a stable name for machines
 * @param message what is wrong, in terms of functions and fields
 */
public record PatchProblem(Kind kind, String message) {

    public enum Kind {
        /** Not a readable patch image: no hot-patch tables, or tables that break the format. */
        MALFORMED_TABLES("malformed_tables"),
        /** A record kind (fixup kind, flags) the format does not define. */
        UNKNOWN_RECORD_KIND("unknown_record_kind"),
        /** Two trampoline sites overlap, or two records replace the same base function. */
        OVERLAPPING_SITES("overlapping_sites"),
        /** A function's code or a fixup's site lies outside the patch image's sections. */
        RECORD_OUTSIDE_PATCH("record_outside_patch"),
        /** A trampoline site outside the base's code, or a fixup target outside the base image. */
        RECORD_OUTSIDE_BASE("record_outside_base"),
        /** A fixup writes into the hot-patch tables, the headers, a data directory or a relocated pointer. */
        FIXUP_INTO_TABLES("fixup_into_tables"),
        /** A fixup site is not the instruction (or the zeroed field) its kind names: a B for BRANCH26, ... */
        WRONG_INSTRUCTION("wrong_instruction"),
        /** A fixup or trampoline does not reach its target from where the patch is placed. */
        OUT_OF_REACH("out_of_reach"),
        /** The patch names another base: identity fields, canonical hash or the bytes under a trampoline differ. */
        WRONG_BASE("wrong_base"),
        /** The patch's sequence number is below the minimum the caller accepts (a rollback to an older patch). */
        SEQUENCE_BELOW_MINIMUM("sequence_below_minimum");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        /** The stable lower_snake name used in JSON reports. */
        public String code() {
            return code;
        }
    }
}
