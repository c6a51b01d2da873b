package dev.hotpatch.differ.plan;

/**
 * One exception-directory (.pdata) entry of a carried function, so that exceptions and stack walks pass
 * through the patched code: the code it covers and its unwind data, copied from the new image.
 *
 * @param beginRva     first byte covered, in the new image (inside one of the function's ranges)
 * @param endRva       one past the last byte covered (x64), or for ARM64 the same as implied by its unwind data
 * @param packedWord   ARM64 packed unwind data (Flag 1 or 2 in the low bits) copied as is; 0 when the entry has
 *                     an unwind record ({@code unwindInfo})
 * @param unwindInfo   the x64 UNWIND_INFO or ARM64 .xdata record without its handler data (with the handler RVA
 *                     slot left as found; the writer fills it), or null for an ARM64 packed entry
 * @param unwindRva    where that record is in the new image (records shared by several entries are copied once)
 * @param chained      for an x64 entry whose unwind info is chained: the parent's {begin, end, unwind} RVAs in
 *                     the new image, else null
 * @param handler      the language-specific handler, or null when the entry has none
 * @param handlerData  the handler's data, copied after the handler RVA (position independent: see
 *                     {@link HandlerData}), empty when there is none
 */
public record UnwindEntry(long beginRva, long endRva, int packedWord, byte[] unwindInfo, long unwindRva,
                          long[] chained, Target handler, byte[] handlerData) {}
