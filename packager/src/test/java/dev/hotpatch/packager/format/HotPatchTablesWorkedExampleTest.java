package dev.hotpatch.packager.format;

import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's bytes for the worked example of docs/format.md equal the hex written by hand from the
 * specification (worked-example.hex), and the reader reads that hex back to the same tables.
 */
class HotPatchTablesWorkedExampleTest {

    /** The example's tables, as docs/format.md describes them. */
    static HotPatchTables example() {
        byte[] sha = new byte[32];
        for (int i = 0; i < sha.length; i++) {
            sha[i] = (byte) i;
        }
        HotPatchHeader header = new HotPatchHeader(2, 1,
                HotPatchHeader.CAN_ROLL_BACK | HotPatchHeader.MACHINE_AMD64 | HotPatchHeader.CUMULATIVE);
        HotPatchBase base = new HotPatchBase(0x6543210FL, 0x0001ABCDL, 0x23000, HotPatchBase.MACHINE_AMD64, sha,
                "app.exe");
        FixupRecord counter = FixupRecord.rel32(0x100B, 0, 0x3010, 0, "global counter");
        FunctionRecord compute = FunctionRecord.redirectedJump(0x1450, 0x1000, 0x40,
                new byte[] {0x48, (byte) 0x89, 0x5C, 0x24, 0x08}, List.of(counter), "compute");
        return new HotPatchTables(header, base, List.of(compute), List.of());
    }

    static byte[] fixture() throws IOException {
        try (InputStream in = HotPatchTablesWorkedExampleTest.class.getResourceAsStream("worked-example.hex")) {
            assertNotNull(in, "worked-example.hex is missing from the test resources");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String data = line.replaceAll("#.*", "").replaceFirst("^\\s*[0-9a-fA-F]+:", "").replaceAll("\\s", "");
                out.writeBytes(HexFormat.of().parseHex(data));
            }
            return out.toByteArray();
        }
    }

    @Test
    void writerProducesTheSpecifiedBytes() throws IOException {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        assertEquals(hex.formatHex(fixture()), hex.formatHex(HotPatchTablesWriter.write(example())));
    }

    @Test
    void readerReadsTheSpecifiedBytes() throws IOException, PatchFormatException {
        assertEquals(example(), HotPatchTablesReader.read(fixture()));
    }

    /** The hex in docs/format.md's worked example is the fixture's (so the document cannot drift from the code). */
    @Test
    void specificationShowsTheSameBytes() throws IOException {
        String doc = Files.readString(RepoPaths.root().resolve("docs/format.md"), StandardCharsets.UTF_8);
        int from = doc.indexOf("## 9. Worked example");
        int to = doc.indexOf("## 10.", from);
        assertTrue(from >= 0 && to > from, "docs/format.md has no section 9 (worked example) followed by section 10");
        Pattern line = Pattern.compile("^([0-9a-f]{4}): +((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:   .*)?$");
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        for (String l : doc.substring(from, to).split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                assertEquals(shown.size(), Integer.parseInt(m.group(1), 16), "address of line: " + l);
                shown.writeBytes(HexFormat.of().parseHex(m.group(2).replace(" ", "")));
            }
        }
        HexFormat hex = HexFormat.ofDelimiter(" ");
        assertEquals(hex.formatHex(fixture()), hex.formatHex(shown.toByteArray()));
    }

    /** The REL32 computation of the example, as the specification spells it out. */
    @Test
    void rel32OfTheExample() {
        long baseVa = 0x1_4000_0000L;
        long patchVa = baseVa + ((0x23000 + 0xFFFF) & ~0xFFFFL);
        assertEquals(0x1_4003_0000L, patchVa);
        long site = patchVa + 0x100B;
        long target = baseVa + 0x3010;
        long value = target + 0 - (site + 4 + 0);
        assertEquals(-0x2DFFFL, value);
        assertEquals(0xFFFD2001L, value & 0xFFFF_FFFFL);
        long jump = patchVa + 0x1000 - (baseVa + 0x1450 + 5);
        assertEquals(0x2FBABL, jump);
        // The jump as the writer and the engine encode it (Jumps) is the one the example shows.
        java.nio.ByteBuffer trampoline = java.nio.ByteBuffer.allocate(5);
        Jumps.direct(dev.hotpatch.pe.Machine.AMD64, trampoline, 0, baseVa + 0x1450, patchVa + 0x1000);
        assertEquals("e9 ab fb 02 00", HexFormat.ofDelimiter(" ").formatHex(trampoline.array()));
    }
}
