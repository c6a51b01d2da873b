/**
 * The hot-patch tables of a patch image (docs/format.md, section 2) and the canonical base hash (section 3):
 * immutable records ({@link dev.hotpatch.packager.format.HotPatchTables} and its parts), a deterministic
 * {@link dev.hotpatch.packager.format.HotPatchTablesWriter}, a {@link dev.hotpatch.packager.format.HotPatchTablesReader}
 * that checks every rule of the format and fails with one {@link dev.hotpatch.packager.format.PatchFormatException},
 * and {@link dev.hotpatch.packager.format.CanonicalBaseHash}. Field offsets live in one place, {@code TableLayout}.
 */
package dev.hotpatch.packager.format;
