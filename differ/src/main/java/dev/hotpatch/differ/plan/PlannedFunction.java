package dev.hotpatch.differ.plan;

import dev.hotpatch.differ.classify.Status;

import java.util.List;

/**
 * A function the patch carries: its code (the new image's ranges), the base function it replaces (or -1 for a
 * new function), and every reference its code makes. Status CHANGED or NEW, or SAME for a companion: an unchanged
 * function carried code reaches with a short branch, carried along (no trampoline) at the same distance.
 *
 * @param newRanges {start RVA, end RVA} in the new image, entry range first
 * @param baseRva   the base function's entry (the trampoline site), or -1 for a NEW function
 * @param unwind    its exception-directory entries in the new image (x64 and ARM64), in range order
 * @param hop       x86/x64: the base function has fewer than 5 bytes before the next one, so it is redirected with
 *                  the hot-patch hop (a 2-byte jump at the entry to a 5-byte jump in the padding before it)
 */
public record PlannedFunction(String name, Status status, int newIndex, long baseRva, List<long[]> newRanges,
                              List<Fixup> fixups, List<UnwindEntry> unwind, boolean hop) {}
