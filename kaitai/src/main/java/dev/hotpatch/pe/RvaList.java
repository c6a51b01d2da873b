package dev.hotpatch.pe;

import java.util.AbstractList;
import java.util.RandomAccess;

/** An immutable list of unsigned 32-bit RVAs kept in an int array, so a table of a million costs 4 MB. */
final class RvaList extends AbstractList<Long> implements RandomAccess {
    static final RvaList EMPTY = new RvaList(new int[0]);

    private final int[] rvas;

    RvaList(int[] rvas) {
        this.rvas = rvas;
    }

    @Override
    public Long get(int index) {
        return Integer.toUnsignedLong(rvas[index]);
    }

    @Override
    public int size() {
        return rvas.length;
    }
}
