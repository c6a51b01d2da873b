package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static dev.hotpatch.pe.DirectoryImages.AMD64;
import static dev.hotpatch.pe.DirectoryImages.READ_ONLY;
import static dev.hotpatch.pe.DirectoryImages.read;
import static dev.hotpatch.pe.DirectoryImages.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attribute certificate table, which the data directory locates by file offset. */
class CertificateReaderTest {

    /** WIN_CERTIFICATE entries with the given dwLength values, each padded to 8 bytes, bytes counting up. */
    private static byte[] table(long... lengths) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        int value = 0;
        for (long length : lengths) {
            int start = b.position();
            b.putInt((int) length).putShort((short) 0x200).putShort((short) 2);
            while (b.position() < start + Math.max(8, length)) {
                b.put((byte) value++);
            }
            while (b.position() % 8 != 0) {
                b.put((byte) 0);
            }
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static DirectoryImages.Builder signed(byte[] table) {
        DirectoryImages.Bytes r = new DirectoryImages.Bytes(0x2000);
        r.zeros(16);
        DirectoryImages.Builder b = DirectoryImages.pe32Plus(AMD64).section(".rdata", r, READ_ONLY).trailer(table);
        return b.directory(DirectoryKind.CERTIFICATE, b.trailerOffset(), table.length);
    }

    @Test
    void entriesOnEightByteBoundaries() throws Exception {
        byte[] table = table(8 + 13, 8 + 8);
        DirectoryImages.Builder b = signed(table);
        long at = b.trailerOffset();
        PeImage image = read(b.build());
        assertEquals(List.of(new CertificateEntry(0, at, 21, 0x200, 2, at + 8),
                new CertificateEntry(1, at + 24, 16, 0x200, 2, at + 32)), image.certificates());
        ByteBuffer second = image.certificates().get(1).certificateBytes(image);
        assertEquals(8, second.remaining());
        assertEquals(13, second.get(0));
        assertEquals(List.of(), image.warnings());
    }

    @Test
    void tableNotAtTheEndOfTheFileIsWarned() throws Exception {
        byte[] table = table(16);
        byte[] withTail = java.util.Arrays.copyOf(table, table.length + 8);
        DirectoryImages.Builder b = signed(withTail);
        b.directory(DirectoryKind.CERTIFICATE, b.trailerOffset(), table.length);
        PeImage image = read(b.build());
        assertEquals(1, image.certificates().size());
        assertTrue(image.warnings().get(0).contains("not at the end of the file"), image.warnings().toString());
    }

    // --- malformed ---

    @Test
    void tableOutsideTheFile() {
        DirectoryImages.Builder b = signed(table(16));
        b.directory(DirectoryKind.CERTIFICATE, b.trailerOffset(), 0x1000);
        rejected(b.build(), "data_directory[certificate]", "rva");
    }

    @Test
    void entryShorterThanItsHeader() {
        byte[] table = table(16);
        ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 4);
        DirectoryImages.Builder b = signed(table);
        PeFormatException e = rejected(b.build(), "win_certificate[0]", "len_entry");
        assertEquals(b.trailerOffset(), e.offset());
    }

    @Test
    void entryLongerThanTheTable() {
        byte[] table = table(16, 16);
        ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x100);
        rejected(signed(table).build(), "win_certificate[1]", "len_entry");
    }

    @Test
    void moreEntriesThanTheLimit() {
        long[] lengths = new long[Limits.MAX_CERTIFICATES + 1];
        java.util.Arrays.fill(lengths, 8);
        rejected(signed(table(lengths)).build(), "data_directory[certificate]", "len");
    }
}
