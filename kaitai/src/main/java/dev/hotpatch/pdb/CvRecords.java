package dev.hotpatch.pdb;

import dev.hotpatch.kaitai.layout.bulk.CvRecordHeader;
import dev.hotpatch.pe.PeFormatException;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Walks a run of CodeView records (symbol or type records: each a u2 length, a u2 kind and a body) in a range
 * of a stream. Each record's length is checked to cover its kind and to stay inside the range before the
 * visitor sees it; the visitor parses only the bodies it wants.
 */
final class CvRecords {
    private CvRecords() {}

    static final int HEADER_SIZE = 4;        // cv_record_header: len_record + kind
    private static final int LEN_SIZE = 2;   // cv_record_header.len_record

    @FunctionalInterface
    interface Visitor {
        /**
         * One record: its index in the run, kind, and where its body lies in the stream ({@code bodyLen} bytes
         * from {@code bodyPos}). Returns false to stop the walk.
         */
        boolean record(int index, int kind, long recordPos, long bodyPos, int bodyLen) throws PeFormatException;
    }

    /** Walks the records in [start, end) of the stream; {@code structure} names them in errors. */
    static void walk(MsfStream stream, long start, long end, String structure, Visitor visitor)
            throws PeFormatException {
        long pos = start;
        int index = 0;
        while (pos < end) {
            if (end - pos < HEADER_SIZE) {
                throw new PeFormatException(structure + "[" + index + "]", "len_record", stream.fileOffset(pos),
                        "a 4-byte record header (length and kind)", "only " + (end - pos) + " bytes left");
            }
            CvRecordHeader h = stream.parse(structure, pos, HEADER_SIZE, CvRecordHeader::new);
            long len = h.lenRecord();
            if (len < LEN_SIZE || len > end - pos - LEN_SIZE) {
                throw new PeFormatException(structure + "[" + index + "]", "len_record", stream.fileOffset(pos),
                        "2 to " + hex(end - pos - LEN_SIZE) + " (the kind, and the rest of the records' range)",
                        hex(len));
            }
            if (!visitor.record(index, h.kind(), pos, pos + HEADER_SIZE, (int) len - LEN_SIZE)) {
                return;
            }
            pos += LEN_SIZE + len;
            index++;
        }
    }

    /** The error for a body too short for the fields of its kind (its parser ran past the record). */
    static PeFormatException tooShort(MsfStream stream, String structure, long recordPos, String kindName,
                                      int bodyLen) {
        return new PeFormatException(structure, "len_record", stream.fileOffset(recordPos),
                "a record long enough for the fields of " + kindName + " and a NUL-terminated name",
                hex(bodyLen + LEN_SIZE));
    }
}
