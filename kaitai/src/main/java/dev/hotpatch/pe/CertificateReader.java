package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.WinCertificate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the attribute certificate table. The data directory's "RVA" is a file offset here; the table is
 * checked against the file, then WIN_CERTIFICATE entries are read one after another, each on an 8-byte
 * boundary, until the directory size is used up (at most {@link Limits#MAX_CERTIFICATES} of them).
 */
final class CertificateReader {
    /** Entries start on 8-byte boundaries (PE Format, "The Attribute Certificate Table"). */
    static final int ALIGNMENT = 8;
    private static final DirectoryKind KIND = DirectoryKind.CERTIFICATE;

    private final StepInput in;

    CertificateReader(StepInput in) {
        this.in = in;
    }

    List<CertificateEntry> read() throws PeFormatException {
        Optional<DataDirectory> found = in.directory(KIND);
        if (found.isEmpty()) {
            return List.of();
        }
        DataDirectory dir = found.get();
        String structure = StepInput.directoryName(KIND);
        long start = dir.address();
        long size = dir.size();
        in.bytes.checkRange(structure, "rva", () -> in.directoryFieldOffset(KIND, "rva"), start, size);
        if (start % ALIGNMENT != 0) {
            in.warn(structure + ".rva (a file offset for the certificate table) " + hex(start)
                    + " is not 8-byte aligned");
        }
        if (in.map.rvaOfFileOffset(start) >= 0) {
            in.warn("the certificate table at file offset " + hex(start) + " lies inside a section or the"
                    + " headers; it should follow the last section");
        }
        if (start + size != in.bytes.length()) {
            in.warn("the certificate table ends at " + hex(start + size) + ", not at the end of the file ("
                    + hex(in.bytes.length()) + ")");
        }
        List<CertificateEntry> out = new ArrayList<>();
        long end = start + size;
        long at = start;
        while (at < end) {
            String name = "win_certificate[" + out.size() + "]";
            if (out.size() == Limits.MAX_CERTIFICATES) {
                throw new PeFormatException(structure, "len", in.directoryFieldOffset(KIND, "len"),
                        "a table of at most " + Limits.MAX_CERTIFICATES + " entries (Limits.MAX_CERTIFICATES)",
                        "more entries in " + hex(size) + " bytes");
            }
            WinCertificate c = KaitaiParse.parse(in.bytes, name, at, Math.min(end - at, ALIGNMENT),
                    WinCertificate::new);
            long headerLength = c.ofsCertificate();
            long dataStart = at + headerLength;
            if (c.lenEntry() < headerLength || c.lenEntry() > end - at) {
                throw new PeFormatException(name, "len_entry", fieldOffset(c, "len_entry", at),
                        "a length from " + hex(headerLength) + " (the header) to " + hex(end - at)
                                + " (the rest of the table)", hex(c.lenEntry()));
            }
            out.add(new CertificateEntry(out.size(), at, c.lenEntry(), c.revision(), c.certificateType(), dataStart));
            if (c.revision() != CertificateEntry.REVISION_2_0 && c.revision() != CertificateEntry.REVISION_1_0) {
                in.warn(name + ".revision " + hex(c.revision()) + " is neither 0x100 nor 0x200");
            }
            long next = at + (c.lenEntry() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            if (next > end && at + c.lenEntry() == end) {
                in.warn(name + " ends at " + hex(end) + " without the padding to an 8-byte boundary");
            }
            at = next;
        }
        return List.copyOf(out);
    }
}
