package dev.hotpatch.packager.format;

/**
 * Where each field of the hot-patch tables sits (docs/format.md, ".hpatch tables"): the one place that knows the
 * byte offsets. Offsets are from the start of the structure; all integers are little-endian.
 */
final class TableLayout {
    private TableLayout() {}

    /** HPATCH_HEADER. */
    static final class Header {
        private Header() {}
        static final int MAGIC = 0x00;
        static final int FORMAT_VERSION = 0x04;
        static final int HEADER_SIZE = 0x06;
        static final int SIZE = 0x08;
        static final int SEQUENCE_NUMBER = 0x0C;
        static final int MIN_SEQUENCE_NUMBER = 0x10;
        static final int FLAGS = 0x14;
        static final int BASE_OFFSET = 0x18;
        static final int FUNCTION_OFFSET = 0x1C;
        static final int FUNCTION_COUNT = 0x20;
        static final int FIXUP_OFFSET = 0x24;
        static final int FIXUP_COUNT = 0x28;
        static final int STRING_OFFSET = 0x2C;
        static final int STRING_SIZE = 0x30;
        static final int RESERVED = 0x34;
        static final int RESERVED_LENGTH = 12;
        static final int LENGTH = 64;
    }

    /** HPATCH_BASE. */
    static final class Base {
        private Base() {}
        static final int ORIGINAL_TIME_DATE_STAMP = 0x00;
        static final int ORIGINAL_CHECK_SUM = 0x04;
        static final int ORIGINAL_SIZE_OF_IMAGE = 0x08;
        static final int MACHINE = 0x0C;
        static final int RESERVED_1 = 0x0E;
        static final int SHA256 = 0x10;
        static final int NAME_OFFSET = 0x30;
        static final int RESERVED_2 = 0x34;
        static final int RESERVED_2_LENGTH = 12;
        static final int LENGTH = 64;
    }

    /** Function record. */
    static final class Function {
        private Function() {}
        static final int BASE_RVA = 0x00;
        static final int PATCH_RVA = 0x04;
        static final int PATCH_SIZE = 0x08;
        static final int FLAGS = 0x0C;
        static final int SITE_RVA = 0x10;
        static final int SITE_SIZE = 0x14;
        static final int RESERVED_1 = 0x15;
        static final int RESERVED_1_LENGTH = 3;
        static final int ORIGINAL_BYTES = 0x18;
        static final int ORIGINAL_BYTES_LENGTH = 16;
        static final int FIRST_FIXUP = 0x28;
        static final int FIXUP_COUNT = 0x2C;
        static final int NAME_OFFSET = 0x30;
        static final int RESERVED_2 = 0x34;
        static final int RESERVED_2_LENGTH = 12;
        static final int LENGTH = 64;
    }

    /** Fixup record. */
    static final class Fixup {
        private Fixup() {}
        static final int SITE_RVA = 0x00;
        static final int KIND = 0x04;
        static final int TAIL_OR_ACCESS_SHIFT = 0x05;
        static final int PAIR_OFFSET = 0x06;
        static final int TARGET_RVA = 0x08;
        static final int ADDEND = 0x0C;
        static final int NAME_OFFSET = 0x10;
        static final int RESERVED = 0x14;
        static final int LENGTH = 24;
    }

    /** Offsets of HPATCH_BASE, the function table and the fixup table are multiples of this. */
    static final int TABLE_ALIGNMENT = 4;
}
