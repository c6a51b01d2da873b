package dev.hotpatch.report;

import dev.hotpatch.pe.PeImage;

import java.util.Locale;

import static dev.hotpatch.report.ReportPart.hex;

/** File and optional header facts. */
final class HeadersPart implements ReportPart {
    private final PeImage image;

    HeadersPart(PeImage image) {
        this.image = image;
    }

    @Override
    public void text(StringBuilder out) {
        var oh = image.optionalHeader();
        var fh = image.fileHeader();
        out.append(image.name()).append(": ").append(oh.formatName()).append(' ').append(image.machine().shortName())
                .append(' ').append(fh.isDll() ? "DLL" : "EXE").append(", ").append(image.fileLength())
                .append(" bytes\n");
        TextTable t = new TextTable();
        t.row("machine", String.format(Locale.ROOT, "0x%04x (%s)", fh.machineCode(), image.machine().shortName()));
        t.row("time date stamp", String.format(Locale.ROOT, "0x%08x", fh.timeDateStamp()));
        t.row("characteristics", String.format(Locale.ROOT, "0x%04x", fh.characteristics()));
        t.row("image base", hex(oh.imageBase()));
        t.row("entry point", hex(oh.entryPointRva()) + image.sectionAt(oh.entryPointRva())
                .map(s -> " (in " + SectionsPart.label(s) + ")").orElse(""));
        t.row("size of image", hex(oh.sizeOfImage()));
        t.row("size of headers", hex(oh.sizeOfHeaders()));
        t.row("checksum", String.format(Locale.ROOT, "0x%08x", oh.checkSum()));
        t.row("subsystem", Integer.toString(oh.subsystem()));
        t.row("dll characteristics", String.format(Locale.ROOT, "0x%04x", oh.dllCharacteristics()));
        t.row("alignment", "section " + hex(oh.sectionAlignment()) + ", file " + hex(oh.fileAlignment()));
        t.row("linker version", oh.majorLinkerVersion() + "." + oh.minorLinkerVersion());
        out.append(t.render("  "));
    }

    @Override
    public void json(JsonWriter j) {
        var oh = image.optionalHeader();
        var fh = image.fileHeader();
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
        j.field("linkerVersion", oh.majorLinkerVersion() + "." + oh.minorLinkerVersion());
    }
}
