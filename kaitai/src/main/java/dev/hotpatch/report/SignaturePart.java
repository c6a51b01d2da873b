package dev.hotpatch.report;

import dev.hotpatch.pe.CertificateEntry;
import dev.hotpatch.pe.PeImage;

import java.util.List;

import static dev.hotpatch.report.ReportPart.hex;

/** Whether the image carries a certificate table (an Authenticode signature); verifying it is the signer's job. */
final class SignaturePart implements ReportPart {
    private final List<CertificateEntry> certificates;

    SignaturePart(PeImage image) {
        this.certificates = image.certificates();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("Signature: ").append(certificates.isEmpty() ? "none (unsigned)" : "present, not verified here")
                .append('\n');
        for (CertificateEntry c : certificates) {
            out.append("  certificate ").append(c.index()).append(": revision ").append(hex(c.revision()))
                    .append(", type ").append(c.certificateType())
                    .append(c.certificateType() == CertificateEntry.TYPE_PKCS_SIGNED_DATA ? " (PKCS#7)" : "")
                    .append(", ").append(c.length()).append(" bytes at file ").append(hex(c.fileOffset())).append('\n');
        }
    }

    @Override
    public void json(JsonWriter j) {
        j.name("signature").beginObject().field("present", !certificates.isEmpty());
        j.name("certificates").beginArray();
        for (CertificateEntry c : certificates) {
            j.beginObject().field("fileOffset", c.fileOffset()).field("length", c.length())
                    .field("revision", c.revision()).field("type", c.certificateType()).endObject();
        }
        j.endArray().endObject();
    }
}
