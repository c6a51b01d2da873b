package dev.hotpatch.packager.format;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged tables either parse or fail with {@link PatchFormatException}, never with any other exception: every
 * truncation of valid tables, and seeded single-byte changes.
 */
class HotPatchTablesRobustnessTest {

    /** Seeds whose tables hold several functions, fixups of several kinds, and data fixups. */
    private static final long[] TABLE_SEEDS = {3, 17, 0x5EED_0042L, 0x5EED_0099L};

    @Test
    void everyTruncationFailsWithTheCheckedError() {
        for (long seed : TABLE_SEEDS) {
            byte[] bytes = HotPatchTablesWriter.write(RandomTables.generate(seed));
            for (int length = 0; length < bytes.length; length++) {
                byte[] cut = Arrays.copyOf(bytes, length);
                try {
                    HotPatchTablesReader.read(cut);
                    fail("seed " + seed + ": tables cut to " + length + " of " + bytes.length + " bytes parsed");
                } catch (PatchFormatException expected) {
                    assertNotNull(expected.structure());
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + seed + ", cut to " + length + " bytes: " + e, e);
                }
            }
        }
    }

    @Test
    void seededSingleByteChangesParseOrFailWithTheCheckedError() {
        Random r = new Random(0xF11B_5EEDL);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 600; i++) {
            long seed = TABLE_SEEDS[i % TABLE_SEEDS.length];
            byte[] bytes = HotPatchTablesWriter.write(RandomTables.generate(seed));
            int at = r.nextInt(bytes.length);
            byte value = (byte) (1 + r.nextInt(255));
            bytes[at] ^= value;
            try {
                HotPatchTables t = HotPatchTablesReader.read(bytes);
                // What parses is valid: it writes back without complaint.
                HotPatchTablesWriter.write(t);
                parsed++;
            } catch (PatchFormatException expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", byte " + at + " ^= " + value + ": " + e, e);
            }
        }
        assertEquals(600, parsed + refused);
        if (parsed == 0 || refused == 0) {
            fail("expected some changes to parse (names, hashes, RVAs) and some to be refused: parsed " + parsed
                    + ", refused " + refused);
        }
    }
}
