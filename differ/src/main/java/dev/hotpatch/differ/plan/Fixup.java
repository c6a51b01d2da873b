package dev.hotpatch.differ.plan;

/**
 * One reference in a patch function's code: where its field sits (range of the function, instruction offset
 * in that range, field kind {@code Step.FIELD_*} and the field's offset from the instruction, or for an ARM64
 * ADRP pair the ADRP's offset from the completing instruction) and what it leads to.
 */
public record Fixup(int range, int instructionOffset, int fieldKind, int fieldOffset, int extra, Target target) {}
