package dev.hotpatch.packager.image;

import java.util.List;
import java.util.Optional;

/**
 * Where the sections reserved so far sit in memory, known before their content is final: callers lay every
 * section out first, then write code and tables that refer to these RVAs. The {@code .reloc} section the
 * builder adds itself is not listed; it follows the last section here.
 *
 * @param sections the sections in the order they were reserved (which is their order in memory and file)
 * @param end      the first free RVA after the last section (section-aligned)
 */
public record Layout(List<Entry> sections, long end) {

    public Layout {
        sections = List.copyOf(sections);
    }

    /** One section: its name, RVA, bytes reserved in memory and IMAGE_SCN_* characteristics. */
    public record Entry(String name, long rva, long virtualSize, long characteristics) {
        public long end() {
            return rva + virtualSize;
        }

        public boolean contains(long someRva) {
            return someRva >= rva && someRva < end();
        }
    }

    public Optional<Entry> section(String name) {
        return sections.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The RVA of the named section; throws when no section has that name. */
    public long rva(String name) {
        return section(name).orElseThrow(() -> new IllegalArgumentException("no section named " + name))
                .rva();
    }

    /** The section whose reserved memory holds {@code rva}, if any. */
    public Optional<Entry> sectionAt(long rva) {
        return sections.stream().filter(e -> e.contains(rva)).findFirst();
    }
}
