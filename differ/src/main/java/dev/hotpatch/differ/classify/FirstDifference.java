package dev.hotpatch.differ.classify;

/**
 * Where a changed function first differs, as normalised instructions (addresses replaced by what they refer
 * to). {@code index} counts instructions from the function's entry; a side that has run out says
 * "(end of function)".
 */
public record FirstDifference(int index, String oldInstruction, String newInstruction) {}
