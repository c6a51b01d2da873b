package dev.hotpatch.packager.image;

import dev.hotpatch.pe.Section;

/** The section characteristics a patch image uses (IMAGE_SCN_* combinations, as MSVC's linker writes them). */
public final class SectionFlags {
    private SectionFlags() {}

    /** {@code .text}: code, execute, read (0x60000020). */
    public static final long CODE = Section.CNT_CODE | Section.MEM_EXECUTE | Section.MEM_READ;
    /** {@code .rdata}, {@code .pdata}: initialised data, read (0x40000040). */
    public static final long READ_ONLY_DATA = Section.CNT_INITIALIZED_DATA | Section.MEM_READ;
    /** {@code .data}: initialised data, read, write (0xC0000040). */
    public static final long READ_WRITE_DATA = Section.CNT_INITIALIZED_DATA | Section.MEM_READ | Section.MEM_WRITE;
    /** {@code .reloc}: initialised data, discardable, read (0x42000040). */
    public static final long DISCARDABLE_DATA = Section.CNT_INITIALIZED_DATA | Section.MEM_DISCARDABLE
            | Section.MEM_READ;
}
