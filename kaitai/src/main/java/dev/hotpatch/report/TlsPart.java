package dev.hotpatch.report;

import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.TlsDirectory;

import java.util.Optional;

import static dev.hotpatch.report.ReportPart.hex;

/** The TLS directory and its callbacks. */
final class TlsPart implements ReportPart {
    private final Optional<TlsDirectory> tls;

    TlsPart(PeImage image) {
        this.tls = image.tls();
    }

    @Override
    public void text(StringBuilder out) {
        if (tls.isEmpty()) {
            out.append("TLS: none\n");
            return;
        }
        TlsDirectory t = tls.get();
        out.append("TLS: template ").append(hex(t.rawDataStartRva())).append("+").append(hex(t.rawDataSize()))
                .append(", index at ").append(hex(t.indexRva())).append(", callbacks:");
        t.callbackRvas().forEach(rva -> out.append(' ').append(hex(rva)));
        out.append(t.callbackRvas().isEmpty() ? " none\n" : "\n");
    }

    @Override
    public void json(JsonWriter j) {
        j.name("tls");
        if (tls.isEmpty()) {
            j.nullValue();
            return;
        }
        TlsDirectory t = tls.get();
        j.beginObject().field("rawDataStartRva", t.rawDataStartRva()).field("rawDataSize", t.rawDataSize())
                .field("indexRva", t.indexRva());
        j.name("callbackRvas").beginArray();
        t.callbackRvas().forEach(j::value);
        j.endArray().endObject();
    }
}
