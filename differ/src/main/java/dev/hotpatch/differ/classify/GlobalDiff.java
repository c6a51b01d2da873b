package dev.hotpatch.differ.classify;

/**
 * One global's fate: NEW, or CHANGED in size or initial value (SAME globals are not listed).
 *
 * @param reason "size", "initial value", or "" for NEW
 */
public record GlobalDiff(Status status, String name, long oldRva, long newRva, long oldSize, long newSize, String reason) {}
