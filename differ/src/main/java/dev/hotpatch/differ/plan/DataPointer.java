package dev.hotpatch.differ.plan;

/**
 * An address stored in data the patch carries (a literal such as a table of strings or functions, a vtable, or a
 * new global's initial value): where it sits in the new image, its width, and where it must lead once the
 * patch is applied.
 *
 * @param slotRva the pointer's RVA in the new image
 * @param width   4 or 8 bytes (a relocated word)
 * @param target  what it points at: a base function or global, something the patch carries, or unresolved
 */
public record DataPointer(long slotRva, int width, Target target) {}
