package dev.hotpatch.report;

import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.util.Locale;

import static dev.hotpatch.report.ReportPart.hex;

/** The section table and the data directories. */
final class SectionsPart implements ReportPart {
    private final PeImage image;

    SectionsPart(PeImage image) {
        this.image = image;
    }

    static String label(Section s) {
        return s.name().isEmpty() ? "section #" + s.index() : s.name();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Sections (").append(image.sections().size()).append(")\n");
        TextTable t = new TextTable().header("#", "name", "rva", "virtual size", "raw offset", "raw size", "flags");
        for (Section s : image.sections()) {
            t.row(Integer.toString(s.index()), s.name(), hex(s.rva()), hex(s.virtualSize()), hex(s.rawOffset()),
                    hex(s.rawSize()), flags(s));
        }
        out.append(t.render("  "));
        out.append("\nData directories (").append(image.dataDirectories().size()).append(" in the header)\n");
        TextTable d = new TextTable().header("directory", "address", "size");
        for (DataDirectory dir : image.dataDirectories()) {
            if (dir.hasAddress() || dir.size() != 0) {
                d.row(dir.kind().id(), hex(dir.address()), hex(dir.size()));
            }
        }
        out.append(d.isEmpty() ? "  none present\n" : d.render("  "));
    }

    @Override
    public void json(JsonWriter j) {
        j.name("sections").beginArray();
        for (Section s : image.sections()) {
            j.beginObject().field("index", s.index()).field("name", s.name()).field("rva", s.rva())
                    .field("virtualSize", s.virtualSize()).field("rawOffset", s.rawOffset())
                    .field("rawSize", s.rawSize()).field("characteristics", s.characteristics()).endObject();
        }
        j.endArray();
        j.name("dataDirectories").beginArray();
        for (DataDirectory d : image.dataDirectories()) {
            j.beginObject().field("kind", d.kind().id()).field("address", d.address()).field("size", d.size())
                    .endObject();
        }
        j.endArray();
    }

    private static String flags(Section s) {
        StringBuilder f = new StringBuilder();
        f.append((s.characteristics() & Section.MEM_READ) != 0 ? 'r' : '-');
        f.append((s.characteristics() & Section.MEM_WRITE) != 0 ? 'w' : '-');
        f.append((s.characteristics() & Section.MEM_EXECUTE) != 0 ? 'x' : '-');
        if ((s.characteristics() & Section.CNT_CODE) != 0) {
            f.append(" code");
        }
        if ((s.characteristics() & Section.CNT_INITIALIZED_DATA) != 0) {
            f.append(" data");
        }
        if ((s.characteristics() & Section.CNT_UNINITIALIZED_DATA) != 0) {
            f.append(" bss");
        }
        return f + String.format(Locale.ROOT, " (0x%08x)", s.characteristics());
    }
}
