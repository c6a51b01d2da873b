package dev.hotpatch.report;

import dev.hotpatch.pe.DataDirectory;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.util.Locale;

/**
 * What {@code hotpatch inspect} shows about a PE image, as text for people and JSON for machines, with the
 * same facts in both.
 */
public final class PeReport {
    private final PeImage image;

    public PeReport(PeImage image) {
        this.image = image;
    }

    public String toText() {
        TextTable t = new TextTable();
        StringBuilder out = new StringBuilder();
        var oh = image.optionalHeader();
        var fh = image.fileHeader();
        out.append(image.name()).append(": ").append(oh.formatName()).append(' ')
                .append(image.machine().shortName()).append(' ').append(fh.isDll() ? "DLL" : "EXE")
                .append(", ").append(image.fileLength()).append(" bytes\n");
        out.append(String.format(Locale.ROOT, "  machine            0x%04x (%s)%n", fh.machineCode(), image.machine().shortName()));
        out.append(String.format(Locale.ROOT, "  time date stamp    0x%08x%n", fh.timeDateStamp()));
        out.append(String.format(Locale.ROOT, "  characteristics    0x%04x%n", fh.characteristics()));
        out.append(String.format(Locale.ROOT, "  image base         0x%x%n", oh.imageBase()));
        out.append(String.format(Locale.ROOT, "  entry point        0x%x%s%n", oh.entryPointRva(),
                image.sectionAt(oh.entryPointRva()).map(s -> " (" + s.name() + ")").orElse("")));
        out.append(String.format(Locale.ROOT, "  size of image      0x%x%n", oh.sizeOfImage()));
        out.append(String.format(Locale.ROOT, "  size of headers    0x%x%n", oh.sizeOfHeaders()));
        out.append(String.format(Locale.ROOT, "  checksum           0x%08x%n", oh.checkSum()));
        out.append(String.format(Locale.ROOT, "  subsystem          %d%n", oh.subsystem()));
        out.append(String.format(Locale.ROOT, "  dll characteristics 0x%04x%n", oh.dllCharacteristics()));
        out.append(String.format(Locale.ROOT, "  alignment          section 0x%x, file 0x%x%n", oh.sectionAlignment(),
                oh.fileAlignment()));

        out.append("\nSections (").append(image.sections().size()).append(")\n");
        t.header("#", "name", "rva", "virtual size", "raw offset", "raw size", "flags");
        for (Section s : image.sections()) {
            t.row(Integer.toString(s.index()), s.name(), hex(s.rva()), hex(s.virtualSize()), hex(s.rawOffset()),
                    hex(s.rawSize()), flags(s));
        }
        out.append(t.render("  "));

        out.append("\nData directories (").append(image.dataDirectories().size()).append(")\n");
        t = new TextTable();
        t.header("directory", "address", "size");
        for (DataDirectory d : image.dataDirectories()) {
            if (d.isPresent()) {
                t.row(d.kind().id(), hex(d.address()), hex(d.size()));
            }
        }
        out.append(t.render("  "));

        if (!image.warnings().isEmpty()) {
            out.append("\nWarnings (").append(image.warnings().size()).append(")\n");
            image.warnings().forEach(w -> out.append("  ").append(w).append('\n'));
        }
        return out.toString();
    }

    public String toJson() {
        JsonWriter j = new JsonWriter();
        var oh = image.optionalHeader();
        var fh = image.fileHeader();
        j.beginObject();
        j.field("file", image.name());
        j.field("fileSize", image.fileLength());
        j.field("format", oh.formatName());
        j.field("machine", image.machine().shortName());
        j.field("machineCode", fh.machineCode());
        j.field("kind", fh.isDll() ? "dll" : "exe");
        j.field("timeDateStamp", fh.timeDateStamp());
        j.field("characteristics", fh.characteristics());
        j.field("imageBase", oh.imageBase());
        j.field("entryPointRva", oh.entryPointRva());
        j.field("sizeOfImage", oh.sizeOfImage());
        j.field("sizeOfHeaders", oh.sizeOfHeaders());
        j.field("checkSum", oh.checkSum());
        j.field("subsystem", oh.subsystem());
        j.field("dllCharacteristics", oh.dllCharacteristics());
        j.field("sectionAlignment", oh.sectionAlignment());
        j.field("fileAlignment", oh.fileAlignment());
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
        j.name("warnings").beginArray();
        image.warnings().forEach(j::value);
        j.endArray();
        j.endObject();
        return j.toString();
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
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
