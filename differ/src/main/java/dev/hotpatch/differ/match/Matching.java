package dev.hotpatch.differ.match;

import java.util.Arrays;

/** Which old function (and global) is which new one, and how each pair was found. */
public final class Matching {
    final int[] oldToNew;
    final int[] newToOld;
    final MatchMethod[] method;
    int[] globalOldToNew;
    int[] globalNewToOld;

    Matching(int oldCount, int newCount) {
        oldToNew = new int[oldCount];
        newToOld = new int[newCount];
        method = new MatchMethod[oldCount];
        Arrays.fill(oldToNew, -1);
        Arrays.fill(newToOld, -1);
    }

    void globals(int oldCount, int newCount) {
        globalOldToNew = new int[oldCount];
        globalNewToOld = new int[newCount];
        Arrays.fill(globalOldToNew, -1);
        Arrays.fill(globalNewToOld, -1);
    }

    boolean pair(int a, int b, MatchMethod how) {
        if (oldToNew[a] >= 0 || newToOld[b] >= 0) {
            return false;
        }
        oldToNew[a] = b;
        newToOld[b] = a;
        method[a] = how;
        return true;
    }

    boolean pairGlobals(int a, int b) {
        if (a >= globalOldToNew.length) {
            int n = Math.max(a + 1, globalOldToNew.length * 2);
            int from = globalOldToNew.length;
            globalOldToNew = Arrays.copyOf(globalOldToNew, n);
            Arrays.fill(globalOldToNew, from, n, -1);
        }
        if (b >= globalNewToOld.length) {
            int n = Math.max(b + 1, globalNewToOld.length * 2);
            int from = globalNewToOld.length;
            globalNewToOld = Arrays.copyOf(globalNewToOld, n);
            Arrays.fill(globalNewToOld, from, n, -1);
        }
        if (globalOldToNew[a] >= 0 || globalNewToOld[b] >= 0) {
            return false;
        }
        globalOldToNew[a] = b;
        globalNewToOld[b] = a;
        return true;
    }

    /** The new function matched to old function {@code a}, or -1. */
    public int newOf(int a) {
        return oldToNew[a];
    }

    /** The old function matched to new function {@code b}, or -1. */
    public int oldOf(int b) {
        return newToOld[b];
    }

    public MatchMethod method(int a) {
        return method[a];
    }

    public int newGlobalOf(int a) {
        return a < globalOldToNew.length ? globalOldToNew[a] : -1;
    }

    public int oldGlobalOf(int b) {
        return b < globalNewToOld.length ? globalNewToOld[b] : -1;
    }

}
