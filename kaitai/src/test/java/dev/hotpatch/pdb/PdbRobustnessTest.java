package dev.hotpatch.pdb;

import dev.hotpatch.pe.ImageBytes;
import dev.hotpatch.pe.PeFormatException;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged copies of a sample PDB (global_size_changed/v1.pdb): truncations at many points and a few hundred
 * mutants with random bytes changed (fixed seed, so a failure replays) each either parse or fail with
 * {@link PeFormatException}, quickly and with a bounded allocation, never with another exception.
 */
class PdbRobustnessTest {
    private static final long SEED = 0x5eed_0b_dbL;
    private static final int MUTANTS = 400;
    private static final long ALLOCATION_BOUND = 16 << 20;
    private static final Duration EACH = Duration.ofSeconds(2);
    private static final int SB_NUM_BLOCKS = 40;   // msf_superblock.num_blocks

    private static byte[] sample() throws Exception {
        return Files.readAllBytes(PdbSamplesTest.sample("global_size_changed", "v1.pdb"));
    }

    /** How reading one damaged file ended. */
    private enum Outcome { PARSED, REFUSED }

    @Test
    void truncationsParseOrFailWithTheCheckedError() throws Exception {
        byte[] pdb = sample();
        List<Outcome> outcomes = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int len = 0; len < pdb.length; len += 61) {
                byte[] cut = java.util.Arrays.copyOf(pdb, len);
                outcomes.add(check(cut, "truncated to " + len + " bytes"));
                if (len >= 64) {
                    // The same, claiming only the blocks that are left: the damage is then met deeper.
                    ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(SB_NUM_BLOCKS, len / 4096);
                    outcomes.add(check(cut, "truncated to " + len + " bytes, num_blocks adjusted"));
                }
            }
        });
        assertTrue(outcomes.contains(Outcome.REFUSED));
    }

    @Test
    void randomByteChangesParseOrFailWithTheCheckedError() throws Exception {
        byte[] pdb = sample();
        int[] readBytes = bytesTheReaderReads(pdb);
        Random random = new Random(SEED);
        List<Outcome> outcomes = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int m = 0; m < MUTANTS; m++) {
                byte[] mutant = pdb.clone();
                int changes = 1 + random.nextInt(4);
                StringBuilder what = new StringBuilder("mutant " + m + " of seed " + Long.toHexString(SEED) + ":");
                for (int c = 0; c < changes; c++) {
                    int at = random.nextInt(4) == 0 ? random.nextInt(pdb.length)
                            : readBytes[random.nextInt(readBytes.length)];
                    byte value = random.nextBoolean() ? (byte) random.nextInt(256)
                            : (byte) (mutant[at] ^ 1 << random.nextInt(8));
                    mutant[at] = value;
                    what.append(String.format(" [0x%x]=0x%02x", at, value & 0xff));
                }
                outcomes.add(check(mutant, what.toString()));
            }
        });
        assertTrue(outcomes.contains(Outcome.PARSED) && outcomes.contains(Outcome.REFUSED),
                "the mutants should include both readable and refused files");
    }

    private static Outcome check(byte[] pdb, String what) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        Outcome outcome;
        try {
            PdbFile parsed = PdbReader.read(pdb, "mutant.pdb");
            parsed.toString();
            outcome = Outcome.PARSED;
        } catch (PeFormatException expected) {
            assertFalse(expected.structure().isEmpty() || expected.getMessage().isEmpty(), what);
            outcome = Outcome.REFUSED;
        } catch (Throwable other) {
            throw new AssertionError(what + " failed with " + other, other);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (allocated > ALLOCATION_BOUND || took.compareTo(EACH) > 0) {
            fail(what + " took " + took.toMillis() + " ms and allocated " + allocated + " bytes");
        }
        return outcome;
    }

    /**
     * The file offsets of every byte the reader reads in the undamaged file: superblock, block map, directory
     * and the streams it parses, so that most changes land where they matter.
     */
    private static int[] bytesTheReaderReads(byte[] pdb) throws PeFormatException {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 56; i++) {
            out.add(i);
        }
        int blockSize = ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN).getInt(32);
        int mapBlock = ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN).getInt(52);
        int dirBlock = ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN).getInt(mapBlock * blockSize);
        int dirLen = ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN).getInt(44);
        for (int i = 0; i < 4; i++) {
            out.add(mapBlock * blockSize + i);
        }
        for (int i = 0; i < dirLen; i++) {
            out.add(dirBlock * blockSize + i);
        }
        MsfFile msf = MsfFile.open(ImageBytes.of(pdb));
        DbiReader.Dbi dbi = new DbiReader(msf.stream(DbiReader.STREAM, "dbi"), new ArrayList<>()).read();
        List<Integer> streams = new ArrayList<>(List.of(1, 2, 3, dbi.symbolRecordStream(),
                dbi.sectionHeaderStream()));
        dbi.modules().forEach(m -> streams.add(m.symbolStream()));
        for (int s : streams) {
            if (msf.has(s)) {
                MsfStream stream = msf.stream(s, "s");
                for (long pos = 0; pos < stream.size(); pos++) {
                    out.add((int) stream.fileOffset(pos));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
