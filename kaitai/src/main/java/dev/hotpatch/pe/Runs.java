package dev.hotpatch.pe;

import io.kaitai.struct.KaitaiStream;

/**
 * Parses a table of fixed-size entries, whose extent the caller has checked, in runs of at most
 * {@link #RUN_LENGTH} entries, so that the parser objects of at most one run are alive at a time however long
 * the table is.
 */
final class Runs {
    static final int RUN_LENGTH = 4096;

    private Runs() {}

    @FunctionalInterface
    interface RunParser<T> {
        T parse(KaitaiStream io, int count);
    }

    @FunctionalInterface
    interface RunVisitor<T> {
        /**
         * Called for each run in order; {@code first} is the table index of its first entry and
         * {@code runOffset} the file offset the run's stream starts at.
         */
        void visit(T run, long first, int count, long runOffset) throws PeFormatException;
    }

    static <T> void parse(ImageBytes bytes, String structure, long offset, long count, int entrySize,
                          RunParser<T> parser, RunVisitor<T> visitor) throws PeFormatException {
        for (long first = 0; first < count; first += RUN_LENGTH) {
            int n = (int) Math.min(RUN_LENGTH, count - first);
            long runOffset = offset + first * entrySize;
            T run = KaitaiParse.parse(bytes, structure, runOffset, (long) n * entrySize, io -> parser.parse(io, n));
            visitor.visit(run, first, n, runOffset);
        }
    }
}
