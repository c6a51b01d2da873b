package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.PdbSectionHeaderStream;
import dev.hotpatch.kaitai.layout.SectionTable;
import dev.hotpatch.pe.Limits;
import dev.hotpatch.pe.PeFormatException;

import java.util.List;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The sections' VirtualAddresses, from the PDB's section header stream (a copy of the image's section table),
 * which turn the (segment, offset) addresses of symbols into RVAs.
 */
final class SectionRvas {
    static final long NO_RVA = -1;
    private static final int HEADER_SIZE = 40;   // section_table section_header

    private final long[] rvas;

    private SectionRvas(long[] rvas) {
        this.rvas = rvas;
    }

    static SectionRvas none() {
        return new SectionRvas(new long[0]);
    }

    static SectionRvas read(MsfStream stream, List<String> warnings) throws PeFormatException {
        long count = stream.size() / HEADER_SIZE;
        if (stream.size() % HEADER_SIZE != 0) {
            warnings.add(stream.name() + " holds " + hex(stream.size()) + " bytes, not a whole number of "
                    + HEADER_SIZE + "-byte section headers; the last " + stream.size() % HEADER_SIZE
                    + " bytes are ignored");
        }
        if (count > Limits.MAX_SECTIONS) {
            throw new PeFormatException(stream.name(), "extent", stream.fileOffset(0), "at most "
                    + Limits.MAX_SECTIONS + " section headers (Limits.MAX_SECTIONS)", String.valueOf(count));
        }
        PdbSectionHeaderStream table = stream.parse(stream.name(), 0, count * HEADER_SIZE,
                io -> new PdbSectionHeaderStream(io, count));
        long[] rvas = new long[(int) count];
        for (int i = 0; i < rvas.length; i++) {
            SectionTable.SectionHeader h = table.sections().get(i);
            rvas[i] = h.rva();
        }
        return new SectionRvas(rvas);
    }

    int count() { return rvas.length; }

    /** The RVA of (segment, offset), or {@link #NO_RVA} when the segment is 0 or names no section. */
    long rva(int segment, long offset) {
        return segment >= 1 && segment <= rvas.length ? rvas[segment - 1] + offset : NO_RVA;
    }
}
