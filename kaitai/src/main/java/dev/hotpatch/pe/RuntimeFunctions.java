package dev.hotpatch.pe;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * The exception directory's function entries, immutable and compact: a large image has some 190,000 of them,
 * so they are kept in parallel arrays (21 bytes each) and a {@link RuntimeFunction} is made on access.
 * The full unwind information of an entry is read on demand from the mapped file with
 * {@link #x64UnwindInfo}, {@link #arm64PackedUnwind} and {@link #arm64XData}; the reader has already checked
 * that it lies inside the file.
 */
public final class RuntimeFunctions extends AbstractList<RuntimeFunction> implements RandomAccess {
    private static final int FORM_MASK = 0x3;
    private static final int FRAGMENT_BIT = 0x4;
    private static final UnwindForm[] FORMS = UnwindForm.values();

    private final int[] begin;
    private final int[] end;
    private final int[] unwind;
    private final int[] primary;
    private final int[] handler;
    private final byte[] kind;
    private final int size;
    private final boolean sorted;
    private final UnwindDetails details;

    private RuntimeFunctions(Builder b, boolean sorted, UnwindDetails details) {
        this.size = b.size;
        this.begin = trim(b.begin, size);
        this.end = trim(b.end, size);
        this.unwind = trim(b.unwind, size);
        this.primary = trim(b.primary, size);
        this.handler = trim(b.handler, size);
        this.kind = b.kind.length == size ? b.kind : Arrays.copyOf(b.kind, size);
        this.sorted = sorted;
        this.details = details;
    }

    /** No function table (x86 images, or no exception directory). */
    public static RuntimeFunctions empty() {
        return new RuntimeFunctions(new Builder(0), true, null);
    }

    private static int[] trim(int[] values, int size) {
        return values.length == size ? values : Arrays.copyOf(values, size);
    }

    @Override
    public RuntimeFunction get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        UnwindForm form = FORMS[kind[index] & FORM_MASK];
        return new RuntimeFunction(u(begin[index]), u(end[index]),
                form == UnwindForm.ARM64_PACKED ? -1 : orNone(unwind[index]), form, (kind[index] & FRAGMENT_BIT) != 0, orNone(primary[index]),
                orNone(handler[index]));
    }

    @Override
    public int size() {
        return size;
    }

    public long beginRva(int index) {
        return u(begin[index]);
    }

    public long endRva(int index) {
        return u(end[index]);
    }

    /** True when the entries are sorted by begin RVA and do not overlap, as the loader expects. */
    public boolean isSorted() {
        return sorted;
    }

    /** Index of the entry whose range holds {@code rva}, or -1 (binary search; linear when unsorted). */
    public int indexOf(long rva) {
        if (!sorted) {
            for (int i = 0; i < size; i++) {
                if (rva >= u(begin[i]) && rva < u(end[i])) {
                    return i;
                }
            }
            return -1;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (u(begin[mid]) <= rva) {
                if (rva < u(end[mid])) {
                    return mid;
                }
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /** The full UNWIND_INFO of an x64 entry. */
    public X64UnwindInfo x64UnwindInfo(int index) {
        requireForm(index, UnwindForm.X64);
        return details.x64(u(unwind[index]));
    }

    /** The packed unwind data of an ARM64 entry whose form is {@link UnwindForm#ARM64_PACKED}. */
    public Arm64PackedUnwind arm64PackedUnwind(int index) {
        requireForm(index, UnwindForm.ARM64_PACKED);
        return details.arm64Packed(u(unwind[index]));
    }

    /** The raw packed unwind word (Flag in its low bits) of an ARM64 entry whose form is ARM64_PACKED. */
    public int arm64PackedWord(int index) {
        requireForm(index, UnwindForm.ARM64_PACKED);
        return details.arm64PackedWord(u(unwind[index]));
    }

    /** The .xdata record of an ARM64 entry whose form is {@link UnwindForm#ARM64_XDATA}. */
    public Arm64XData arm64XData(int index) {
        requireForm(index, UnwindForm.ARM64_XDATA);
        return details.arm64XData(u(unwind[index]));
    }

    private void requireForm(int index, UnwindForm form) {
        if (FORMS[kind[index] & FORM_MASK] != form) {
            throw new IllegalArgumentException("entry " + index + " has unwind form "
                    + FORMS[kind[index] & FORM_MASK] + ", not " + form);
        }
    }

    private static long u(int value) {
        return Integer.toUnsignedLong(value);
    }

    private static long orNone(int value) {
        return value == -1 ? -1 : Integer.toUnsignedLong(value);
    }

    /**
     * Collects entries while the reader walks the table; -1 marks "none" (no RVA in an image is 0xffffffff).
     * For ARM64 packed entries the unwind slot holds the entry's file offset, which the model hides.
     */
    static final class Builder {
        private final int[] begin;
        private final int[] end;
        private final int[] unwind;
        private final int[] primary;
        private final int[] handler;
        private final byte[] kind;
        private int size;

        Builder(int capacity) {
            begin = new int[capacity];
            end = new int[capacity];
            unwind = new int[capacity];
            primary = new int[capacity];
            handler = new int[capacity];
            kind = new byte[capacity];
        }

        void add(long beginRva, long endRva, long unwindRva, UnwindForm form, boolean fragment, long primaryBegin,
                 long handlerRva) {
            begin[size] = (int) beginRva;
            end[size] = (int) endRva;
            unwind[size] = (int) unwindRva;
            primary[size] = (int) primaryBegin;
            handler[size] = (int) handlerRva;
            kind[size] = (byte) (form.ordinal() | (fragment ? FRAGMENT_BIT : 0));
            size++;
        }

        int size() {
            return size;
        }

        /** True when every entry begins at or after the end of the one before. */
        boolean isSorted() {
            for (int i = 1; i < size; i++) {
                if (Integer.compareUnsigned(begin[i], end[i - 1]) < 0) {
                    return false;
                }
            }
            return true;
        }

        RuntimeFunctions build(UnwindDetails details) {
            return new RuntimeFunctions(this, isSorted(), details);
        }
    }
}
