package dev.hotpatch.packager.image;

import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a PE DLL deterministically: PE32 for {@link Machine#I386}, PE32+ for {@link Machine#AMD64} and
 * {@link Machine#ARM64}. Sections are laid out first ({@link #reserve} returns each RVA at once, in the order
 * reserved, so code can be written against RVAs before any content is final), then filled; data directories
 * are set by (kind, RVA, size); base relocations are collected and emitted as a {@code .reloc} section after the
 * last one. {@link #build()} returns the file: minimal DOS header, NT headers with TimeDateStamp 0, entry point 0
 * and a computed CheckSum, the section table, and each section's initialised bytes file-aligned. Same calls,
 * same bytes.
 *
 * <p>Arguments that make a broken image are refused with {@link IllegalArgumentException}: section names over 8
 * bytes, writes outside their section, relocations outside every section or overlapping one another,
 * directories outside a section's initialised bytes or overlapping one another, images over 2 GB.
 */
public final class PeImageBuilder {
    public static final int SECTION_ALIGNMENT = 0x1000;
    public static final int FILE_ALIGNMENT = 0x200;
    /** The largest image this builder writes, in memory and in the file. */
    public static final long MAX_IMAGE_SIZE = 0x7FFF_FFFFL;
    public static final int SUBSYSTEM_WINDOWS_GUI = 2;
    public static final int SUBSYSTEM_WINDOWS_CUI = 3;
    /** The section the builder adds for base relocations; callers may not reserve it. */
    public static final String RELOC_SECTION = ".reloc";
    /** Sections that fit, with the {@code .reloc} section, in the first page of headers. */
    public static final int MAX_SECTIONS = (SECTION_ALIGNMENT - ImageWriter.headersSize(true, 0))
            / ImageWriter.SECTION_HEADER_SIZE - 1;

    private final Machine machine;
    private final boolean pe32Plus;
    private long imageBase;
    private int subsystem = SUBSYSTEM_WINDOWS_GUI;
    private boolean guardCf;
    private final List<ImageSection> sections = new ArrayList<>();
    private final long[] directoryRva = new long[ImageWriter.DIRECTORY_COUNT];
    private final long[] directorySize = new long[ImageWriter.DIRECTORY_COUNT];
    private final TreeMap<Long, BaseRelocationType> relocations = new TreeMap<>();
    /** Pointer-sized fields holding image base + target RVA, filled in by {@link #build()}: site to target. */
    private final TreeMap<Long, Long> addressFields = new TreeMap<>();

    public PeImageBuilder(Machine machine) {
        this.machine = machine;
        this.pe32Plus = isPe32Plus(machine);
        this.imageBase = pe32Plus ? 0x1_8000_0000L : 0x1000_0000L;
    }

    /** True when images for {@code machine} are PE32+; throws for a machine this builder does not write. */
    public static boolean isPe32Plus(Machine machine) {
        return switch (machine) {
            case I386 -> false;
            case AMD64, ARM64 -> true;
            default -> throw new IllegalArgumentException("cannot build an image for machine " + machine
                    + ": only x86 (I386), x64 (AMD64) and ARM64 are supported");
        };
    }

    public Machine machine() { return machine; }

    /** True for PE32+ (x64, ARM64). */
    public boolean pe32Plus() { return pe32Plus; }

    /** Bytes of a pointer and of an import thunk: 8 on PE32+, 4 on PE32. */
    public int pointerSize() { return pe32Plus ? 8 : 4; }

    public long imageBase() { return imageBase; }

    /** The preferred load address: a non-zero multiple of 64 KB (below 4 GB for PE32). */
    public PeImageBuilder imageBase(long base) {
        if (base == 0 || (base & 0xFFFF) != 0 || (!pe32Plus && (base >>> 32) != 0)) {
            throw new IllegalArgumentException(String.format("image base 0x%x is not a non-zero multiple of 64 KB%s",
                    base, pe32Plus ? "" : " below 4 GB (a PE32 image)"));
        }
        this.imageBase = base;
        return this;
    }

    /** IMAGE_SUBSYSTEM_*; {@link #SUBSYSTEM_WINDOWS_GUI} unless set. */
    public PeImageBuilder subsystem(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("subsystem " + value + " does not fit in 16 bits");
        }
        this.subsystem = value;
        return this;
    }

    /** Whether DllCharacteristics says GUARD_CF (the image takes part in Control Flow Guard). */
    public PeImageBuilder guardCf(boolean on) {
        this.guardCf = on;
        return this;
    }

    public boolean guardCf() { return guardCf; }

    // ---- layout -------------------------------------------------------------------------------------------

    /**
     * Reserves a section of {@code virtualSize} bytes in memory after the ones reserved before it and returns its
     * RVA. Its content starts empty (all zeros, nothing in the file); {@link #fill} and {@link #write} give it
     * initialised bytes, and whatever stays past them is a zero-filled tail that takes no room in the file.
     */
    public long reserve(String name, long virtualSize, long characteristics) {
        checkName(name);
        if (virtualSize <= 0) {
            throw new IllegalArgumentException("section " + name + " must reserve at least one byte, not "
                    + virtualSize);
        }
        if ((characteristics >>> 32) != 0) {
            throw new IllegalArgumentException(String.format(
                    "section %s characteristics 0x%x do not fit in 32 bits", name, characteristics));
        }
        if (sections.size() >= MAX_SECTIONS) {
            throw new IllegalArgumentException("an image holds at most " + MAX_SECTIONS
                    + " sections besides .reloc; " + name + " would be one more");
        }
        long rva = nextRva();
        if (virtualSize > MAX_IMAGE_SIZE || rva + LittleEndian.alignUp(virtualSize, SECTION_ALIGNMENT)
                > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "section %s of 0x%x bytes at RVA 0x%x makes the image larger than 2 GB", name, virtualSize,
                    rva));
        }
        sections.add(new ImageSection(name, rva, virtualSize, characteristics));
        return rva;
    }

    /** Reserves a section exactly as large as {@code content}, fills it and returns its RVA. */
    public long addSection(String name, long characteristics, byte[] content) {
        return addSection(name, characteristics, content, content.length);
    }

    /**
     * Reserves a section of {@code virtualSize} bytes whose first {@code content.length} bytes are
     * {@code content} (the rest is a zero-filled tail) and returns its RVA.
     */
    public long addSection(String name, long characteristics, byte[] content, long virtualSize) {
        long rva = reserve(name, virtualSize, characteristics);
        fill(name, content);
        return rva;
    }

    /** Writes {@code content} at the start of the named section. */
    public PeImageBuilder fill(String name, byte[] content) {
        ImageSection s = section(name);
        s.write(0, content);
        return this;
    }

    /** Writes {@code bytes} at an RVA; they must lie inside one reserved section. */
    public PeImageBuilder write(long rva, byte[] bytes) {
        ImageSection s = sectionFor(rva, bytes.length, "write of " + bytes.length + " bytes");
        s.write(rva - s.rva, bytes);
        return this;
    }

    /**
     * Writes a pointer-sized absolute address (image base + {@code targetRva}) at {@code rva} and adds the base
     * relocation for it. The address is computed by {@link #build()}, so it follows the final image base.
     */
    public PeImageBuilder writeAddress(long rva, long targetRva) {
        if (targetRva < 0 || targetRva > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format("address target RVA 0x%x is outside any image",
                    targetRva));
        }
        relocation(rva, defaultRelocationType());
        write(rva, new byte[pointerSize()]);
        addressFields.put(rva, targetRva);
        return this;
    }

    /** The RVA of a reserved section. */
    public long sectionRva(String name) {
        return section(name).rva;
    }

    /** The sections reserved so far and where they sit. */
    public Layout layout() {
        List<Layout.Entry> entries = new ArrayList<>(sections.size());
        for (ImageSection s : sections) {
            entries.add(new Layout.Entry(s.name, s.rva, s.virtualSize, s.characteristics));
        }
        return new Layout(entries, nextRva());
    }

    // ---- directories and relocations ----------------------------------------------------------------------

    /** Sets a data directory; the range must lie inside one section and overlap no other directory. */
    public PeImageBuilder directory(DirectoryKind kind, long rva, long size) {
        return directory(kind.ordinal(), rva, size);
    }

    /** Sets data directory {@code index} (0 to 15); (0, 0) clears it. */
    public PeImageBuilder directory(int index, long rva, long size) {
        if (index < 0 || index >= ImageWriter.DIRECTORY_COUNT) {
            throw new IllegalArgumentException("data directory index " + index + " is not 0 to 15");
        }
        String what = "data directory " + index + " (" + DirectoryKind.values()[index].id() + ")";
        if (index == DirectoryKind.CERTIFICATE.ordinal()) {
            throw new IllegalArgumentException(what + " holds a file offset and is written by the signer, not here");
        }
        if (index == DirectoryKind.BASE_RELOCATION.ordinal()) {
            throw new IllegalArgumentException(what + " is written by the builder from relocation(); add sites"
                    + " instead");
        }
        if (rva == 0 && size == 0) {
            directoryRva[index] = 0;
            directorySize[index] = 0;
            return this;
        }
        if (rva <= 0 || size <= 0 || size > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "%s at RVA 0x%x with size 0x%x: both must be positive (or both 0 to clear it)", what, rva, size));
        }
        sectionFor(rva, size, what);
        for (int other = 0; other < ImageWriter.DIRECTORY_COUNT; other++) {
            if (other != index && directorySize[other] != 0 && rva < directoryRva[other] + directorySize[other]
                    && directoryRva[other] < rva + size) {
                throw new IllegalArgumentException(String.format(
                        "%s [0x%x, 0x%x) overlaps data directory %d (%s) [0x%x, 0x%x)", what, rva, rva + size,
                        other, DirectoryKind.values()[other].id(), directoryRva[other],
                        directoryRva[other] + directorySize[other]));
            }
        }
        directoryRva[index] = rva;
        directorySize[index] = size;
        return this;
    }

    /** Adds a base relocation of the machine's pointer type (DIR64 on PE32+, HIGHLOW on PE32). */
    public PeImageBuilder relocation(long rva) {
        return relocation(rva, defaultRelocationType());
    }

    /**
     * Adds a base relocation: DIR64 (an 8-byte address, PE32+ only) or HIGHLOW (a 4-byte address, PE32 only).
     * The field must lie inside a reserved section and overlap no other relocated field.
     */
    public PeImageBuilder relocation(long rva, BaseRelocationType type) {
        if (type != defaultRelocationType()) {
            throw new IllegalArgumentException("base relocation type " + type + " at RVA 0x" + Long.toHexString(rva)
                    + " does not suit a " + (pe32Plus ? "PE32+" : "PE32") + " image; use "
                    + defaultRelocationType());
        }
        int width = widthOf(type);
        sectionFor(rva, width, "base relocation " + type);
        Map.Entry<Long, BaseRelocationType> before = relocations.floorEntry(rva);
        Map.Entry<Long, BaseRelocationType> after = relocations.ceilingEntry(rva);
        Map.Entry<Long, BaseRelocationType> clash =
                before != null && before.getKey() + widthOf(before.getValue()) > rva ? before
                : after != null && after.getKey() < rva + width ? after : null;
        if (clash != null) {
            throw new IllegalArgumentException(String.format(
                    "base relocation %s at RVA 0x%x overlaps the %s relocation at RVA 0x%x", type, rva,
                    clash.getValue(), clash.getKey()));
        }
        relocations.put(rva, type);
        return this;
    }

    /** The relocation sites added so far (RVA to type, ascending). */
    public SortedMap<Long, BaseRelocationType> relocations() {
        return Collections.unmodifiableSortedMap(relocations);
    }

    // ---- output -------------------------------------------------------------------------------------------

    /** The image's bytes. The builder is not changed: building twice gives the same bytes. */
    public byte[] build() {
        checkDirectoriesAreInitialised();
        return new ImageWriter(this).write();
    }

    /**
     * Writes the image to {@code target} through a temporary file in the same directory, renamed over the target
     * when complete: a failure leaves the target as it was and no temporary file behind.
     */
    public void writeTo(Path target) throws IOException {
        AtomicFile.write(target, build());
    }

    // ---- for ImageWriter ----------------------------------------------------------------------------------

    List<ImageSection> sections() { return sections; }

    long directoryRva(int index) { return directoryRva[index]; }

    long directorySize(int index) { return directorySize[index]; }

    SortedMap<Long, Long> addressFields() { return addressFields; }

    int subsystemValue() { return subsystem; }

    /** The first free RVA after the reserved sections. */
    long nextRva() {
        if (sections.isEmpty()) {
            return SECTION_ALIGNMENT;   // the headers always fit in the first page (MAX_SECTIONS)
        }
        return LittleEndian.alignUp(sections.get(sections.size() - 1).end(), SECTION_ALIGNMENT);
    }

    // ---- checks -------------------------------------------------------------------------------------------

    private BaseRelocationType defaultRelocationType() {
        return pe32Plus ? BaseRelocationType.DIR64 : BaseRelocationType.HIGHLOW;
    }

    private static int widthOf(BaseRelocationType type) {
        return type == BaseRelocationType.DIR64 ? 8 : 4;
    }

    private void checkName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > 8) {
            throw new IllegalArgumentException("section name \"" + name + "\" is " + bytes.length
                    + " bytes; an image section name takes 1 to 8 bytes");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("section name \"" + name + "\" contains a NUL character");
        }
        if (name.equals(RELOC_SECTION)) {
            throw new IllegalArgumentException(RELOC_SECTION + " is written by the builder from relocation();"
                    + " reserve another name");
        }
        for (ImageSection s : sections) {
            if (s.name.equals(name)) {
                throw new IllegalArgumentException("section " + name + " is already reserved (RVA 0x"
                        + Long.toHexString(s.rva) + ")");
            }
        }
    }

    private ImageSection section(String name) {
        for (ImageSection s : sections) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no section named " + name + " has been reserved");
    }

    /** The section holding [rva, rva + size) in memory; throws naming {@code what} when there is none. */
    private ImageSection sectionFor(long rva, long size, String what) {
        for (ImageSection s : sections) {
            if (s.contains(rva, size)) {
                return s;
            }
        }
        throw new IllegalArgumentException(String.format("%s at RVA 0x%x (0x%x bytes) lies outside every section"
                + " (or runs across the end of one)", what, rva, size));
    }

    private void checkDirectoriesAreInitialised() {
        for (int i = 0; i < ImageWriter.DIRECTORY_COUNT; i++) {
            if (directorySize[i] == 0) {
                continue;
            }
            ImageSection s = sectionFor(directoryRva[i], directorySize[i], "data directory " + i);
            if (!s.initializedCovers(directoryRva[i], directorySize[i])) {
                throw new IllegalArgumentException(String.format(
                        "data directory %d (%s) [0x%x, 0x%x) reaches past the initialised bytes of section %s"
                                + " (which end at RVA 0x%x); write its content first", i,
                        DirectoryKind.values()[i].id(), directoryRva[i], directoryRva[i] + directorySize[i],
                        s.name, s.rva + s.initializedSize()));
            }
        }
    }
}
