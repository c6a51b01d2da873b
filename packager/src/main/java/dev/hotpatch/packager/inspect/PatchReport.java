package dev.hotpatch.packager.inspect;

import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchHeader;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;
import dev.hotpatch.report.JsonWriter;
import dev.hotpatch.report.ReportPart;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * What a patch image holds, in words and in JSON: the header (sequence, flags), the base it is for, each
 * function record (base and patch RVA, size, trampoline site and its original bytes) with its fixups, and the
 * patch's size split into code, data and tables.
 */
public final class PatchReport implements ReportPart {
    private final PeImage image;
    private final HotPatchTables tables;

    private PatchReport(PeImage image, HotPatchTables tables) {
        this.image = image;
        this.tables = tables;
    }

    /** The report when the image carries our hot-patch tables (its load config points at them), else empty. */
    public static Optional<PatchReport> of(PeImage image) throws PatchFormatException {
        return PatchImageTables.read(image).map(t -> new PatchReport(image, t));
    }

    private long sectionBytes(String name) {
        return image.section(name).map(Section::virtualSize).orElse(0L);
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Hot patch\n");
        HotPatchHeader h = tables.header();
        out.append(String.format(Locale.ROOT, "  sequence %d (supersedes from %d), flags 0x%x%s%s%s%n", h.sequenceNumber(),
                h.minSequenceNumber(), h.flags(), h.obligatory() ? " obligatory" : "", h.canRollBack() ? " can-roll-back" : "",
                h.cumulative() ? " cumulative" : ""));
        var b = tables.base();
        out.append(String.format(Locale.ROOT, "  base %s: machine 0x%x, time date stamp 0x%08x, checksum 0x%08x, size of image 0x%x%n",
                b.name(), b.machine(), b.originalTimeDateStamp(), b.originalCheckSum(), b.originalSizeOfImage()));
        out.append("  base sha256 ").append(HexFormat.of().formatHex(b.sha256())).append('\n');
        out.append(String.format(Locale.ROOT, "  size: %d bytes (code %d, read-only data %d, data %d, tables %d)%n",
                image.fileLength(), sectionBytes(".text"), sectionBytes(".rdata"), sectionBytes(".data"), sectionBytes(".hpatch")));
        out.append(String.format(Locale.ROOT, "  functions (%d)%n", tables.functions().size()));
        for (FunctionRecord f : tables.functions()) {
            out.append(String.format(Locale.ROOT, "    %s  %s  patch 0x%x (%d bytes)%s%n", f.name(),
                    f.isNew() ? "new" : String.format(Locale.ROOT, "replaces base 0x%x", f.baseRva()), f.patchRva(), f.patchSize(),
                    f.redirect() ? String.format(Locale.ROOT, ", jump at 0x%x over %s", f.siteRva(),
                            HexFormat.ofDelimiter(" ").formatHex(f.originalBytes())) : ""));
            for (FixupRecord x : f.fixups()) {
                out.append(String.format(Locale.ROOT, "      fixup 0x%x %s -> base 0x%x%s  %s%n", x.siteRva(),
                        x.kind().name().toLowerCase(Locale.ROOT), x.targetRva(),
                        x.addend() != 0 ? String.format(Locale.ROOT, "%+d", x.addend()) : "", x.name()));
            }
        }
        if (!tables.dataFixups().isEmpty()) {
            out.append(String.format(Locale.ROOT, "  data fixups (%d): addresses in carried data that lead into the base%n",
                    tables.dataFixups().size()));
            for (FixupRecord x : tables.dataFixups()) {
                out.append(String.format(Locale.ROOT, "    fixup 0x%x %s -> base 0x%x  %s%n", x.siteRva(),
                        x.kind().name().toLowerCase(Locale.ROOT), x.targetRva(), x.name()));
            }
        }
    }

    /** The same facts as the report's {@code hot_patch} member. */
    @Override
    public void json(JsonWriter w) {
        w.name("hot_patch").beginObject();
        HotPatchHeader h = tables.header();
        w.field("sequence", h.sequenceNumber()).field("min_sequence", h.minSequenceNumber()).field("flags", h.flags());
        var b = tables.base();
        w.name("base").beginObject().field("name", b.name()).field("machine", b.machine())
                .field("time_date_stamp", b.originalTimeDateStamp()).field("checksum", b.originalCheckSum())
                .field("size_of_image", b.originalSizeOfImage()).field("sha256", HexFormat.of().formatHex(b.sha256())).endObject();
        w.name("size").beginObject().field("file", image.fileLength()).field("code", sectionBytes(".text"))
                .field("read_only_data", sectionBytes(".rdata")).field("data", sectionBytes(".data"))
                .field("tables", sectionBytes(".hpatch")).endObject();
        w.name("functions").beginArray();
        for (FunctionRecord f : tables.functions()) {
            w.beginObject().field("name", f.name()).field("new", f.isNew()).field("patch_rva", f.patchRva())
                    .field("patch_size", f.patchSize());
            if (!f.isNew()) {
                w.field("base_rva", f.baseRva());
            }
            if (f.redirect()) {
                w.field("site_rva", f.siteRva()).field("original_bytes", HexFormat.of().formatHex(f.originalBytes()));
            }
            w.name("fixups").beginArray();
            for (FixupRecord x : f.fixups()) {
                w.beginObject().field("site_rva", x.siteRva()).field("kind", x.kind().name().toLowerCase(Locale.ROOT))
                        .field("target_rva", x.targetRva()).field("name", x.name()).endObject();
            }
            w.endArray().endObject();
        }
        w.endArray();
        w.name("data_fixups").beginArray();
        for (FixupRecord x : tables.dataFixups()) {
            w.beginObject().field("site_rva", x.siteRva()).field("kind", x.kind().name().toLowerCase(Locale.ROOT))
                    .field("target_rva", x.targetRva()).field("name", x.name()).endObject();
        }
        w.endArray().endObject();
    }
}
