package dev.hotpatch.pe;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sample binary is loadable; each 2- or 4-byte header change the Windows loader refuses (issue 11: a huge
 * NumberOfSections, SizeOfImage, SizeOfHeaders; overlapping sections) fails with one checked error naming the
 * field, while the reader still reads the file (inspect shows it with warnings).
 */
class LoadableLayoutTest {
    private static final Path SAMPLE = RepoPaths.testdataBin().resolve("x64/constant_changed/v1.dll");

    @Test
    void everySampleBinaryIsLoadable() throws Exception {
        List<Path> samples;
        try (Stream<Path> files = Files.walk(RepoPaths.testdataBin())) {
            samples = files.filter(p -> p.toString().endsWith(".dll") || p.toString().endsWith(".exe")).toList();
        }
        assertFalse(samples.size() < 50, "expected the sample binaries, found " + samples.size());
        for (Path p : samples) {
            LoadableLayout.check(PeReader.read(p));
        }
    }

    private static byte[] sample() throws IOException {
        return Files.readAllBytes(SAMPLE);
    }

    private static int ntHeaders(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0x3C);
    }

    private static PeFormatException refused(byte[] b, String structure, String field) throws Exception {
        PeImage image = PeReader.read(b, "mutant");
        PeFormatException e = assertThrows(PeFormatException.class, () -> LoadableLayout.check(image));
        assertEquals(structure, e.structure(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        return e;
    }

    @Test
    void aHugeSectionCountIsRefused() throws Exception {
        for (int count : new int[] {0x7FFF, 0xFFFF}) {
            byte[] b = sample();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(ntHeaders(b) + 6, (short) count);
            refused(b, "coff_file_header", "num_sections");
        }
    }

    @Test
    void aSizeOfImageBeyondTheSectionsIsRefused() throws Exception {
        for (int size : new int[] {0xFFFFFFFF, 0x7FFFFFFF}) {
            byte[] b = sample();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ntHeaders(b) + 24 + 56, size);
            PeFormatException e = refused(b, "optional_header", "len_image");
            assertTrue(e.getMessage().contains(Integer.toHexString(size)), e.getMessage());
        }
    }

    @Test
    void aSizeOfHeadersPastTheFirstSectionIsRefused() throws Exception {
        for (int size : new int[] {0x7FFFFFF0, 0x2000, 0x10}) {
            byte[] b = sample();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ntHeaders(b) + 24 + 60, size);
            refused(b, "optional_header", "len_headers");
        }
    }

    @Test
    void overlappingSectionsAreRefused() throws Exception {
        byte[] b = sample();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int nt = ntHeaders(b);
        int table = nt + 24 + Short.toUnsignedInt(bb.getShort(nt + 20));
        bb.putInt(table + 40 + 12, bb.getInt(table + 12));      // the second section at the first one's RVA
        refused(b, "section_header[1]", "virtual_address");
    }

    @Test
    void alignmentsThatAreNoPowerOfTwoAreRefused() throws Exception {
        byte[] b = sample();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ntHeaders(b) + 24 + 32, 0);
        refused(b, "optional_header", "section_alignment");
        b = sample();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ntHeaders(b) + 24 + 36, 0x300);
        refused(b, "optional_header", "file_alignment");
    }
}
