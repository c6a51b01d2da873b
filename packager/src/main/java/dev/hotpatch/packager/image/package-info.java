/**
 * A deterministic writer of PE DLLs, the container of a patch image: {@link dev.hotpatch.packager.image.PeImageBuilder}
 * lays out sections and writes headers, section data, base relocations and the CheckSum; the table builders
 * ({@link dev.hotpatch.packager.image.ImportDirectoryBuilder}, {@link dev.hotpatch.packager.image.ExportDirectoryBuilder},
 * {@link dev.hotpatch.packager.image.LoadConfigBuilder}, {@link dev.hotpatch.packager.image.RuntimeFunctionTable})
 * each say how large they are, so a caller can plan every section with
 * {@link dev.hotpatch.packager.image.SectionSpace} before anything is written, then write them at their RVAs.
 */
package dev.hotpatch.packager.image;
