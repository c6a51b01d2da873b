package dev.hotpatch.differ.classify;

import dev.hotpatch.differ.match.MatchMethod;

/**
 * One function's fate. Indices are -1 on the side where the function does not exist.
 *
 * @param name        source-level name (or sub_RVA)
 * @param symbol      the raw symbol, or null
 * @param oldSize     code bytes (padding excluded) in the old image, or -1
 * @param newSize     code bytes in the new image, or -1
 * @param method      how old and new were matched, or null
 * @param difference  the first differing normalised instruction, filled for changed functions by the report
 * @param foundBy     the sources that found the function (on the new side when it exists there)
 */
public record FunctionDiff(Status status, String name, String symbol, int oldIndex, int newIndex, long oldRva,
                           long newRva, long oldSize, long newSize, MatchMethod method, FirstDifference difference,
                           java.util.Set<dev.hotpatch.differ.functions.Found> foundBy) {

    public FunctionDiff withMethod(MatchMethod how) {
        return new FunctionDiff(status, name, symbol, oldIndex, newIndex, oldRva, newRva, oldSize, newSize, how, difference, foundBy);
    }

    public FunctionDiff withDifference(FirstDifference d) {
        return new FunctionDiff(status, name, symbol, oldIndex, newIndex, oldRva, newRva, oldSize, newSize, method, d, foundBy);
    }
}
