package dev.hotpatch.differ.normalise;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionDiscovery;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.functions.Symbols;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replaying a function's normalisation for a sink (what rendering a difference and planning a patch do) leaves
 * the function's fingerprint and the image's references as they were, reports the same references as the bulk
 * pass recorded (numbered from the function's first), and one normaliser serves every function of an image.
 */
class NormaliserReplayTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"x64, switch_table_grows/v1.exe", "x86, function_grows/v1.dll", "arm64, switch_table_grows/v1.dll",
        "arm64, address_taken/v1.dll"})
    void replayReportsWhatTheBulkPassRecordedAndChangesNothing(String arch, String file) throws Exception {
        Path path = RepoPaths.testdataBin().resolve(arch).resolve(file);
        ImageCode code = new ImageCode(PeReader.read(path));
        Symbols symbols = Symbols.fromCoff(code.image());
        FunctionTable table = FunctionDiscovery.discover(code, symbols, Differ.decoderFor(code));
        RefTable refs = new RefTable();
        new Normaliser(code, table, Differ.decoderFor(code), refs).normalise(0, table.size());
        int total = refs.size();
        assertTrue(total > 0, "no references in " + path);

        Normaliser replayer = new Normaliser(code, table, Differ.decoderFor(code));
        int replayed = 0;
        for (Fn fn : table.functions()) {
            long[] before = fn.saveFingerprint();
            List<Integer> reported = new ArrayList<>();
            int[] instructions = {0};
            int[] sinkRefs = {0};
            RefTable mine = replayer.replay(fn, new Normaliser.Sink() {
                @Override
                public void instruction(int range, int offset, int length, int localRange, long localOffset, int firstRef,
                                        int refCount, long normHash) {
                    instructions[0]++;
                    sinkRefs[0] += refCount;
                }

                @Override
                public void reference(int ref, int range, int offset, int fieldKind, int fieldOffset, int extra) {
                    reported.add(ref);
                }
            });
            assertArrayEquals(before, fn.saveFingerprint(), () -> fn.displayName() + ": fingerprint changed by replay");
            assertEquals(total, refs.size(), "replay added to the image's references");
            assertEquals(fn.instructions, instructions[0], fn.displayName() + ": instructions");
            int count = fn.refEnd - fn.refStart;
            assertEquals(count, mine.size(), fn.displayName() + ": references replayed");
            assertTrue(sinkRefs[0] <= count, fn.displayName() + ": instruction references beyond the function's");
            for (int i = 0; i < count; i++) {
                assertEquals(refs.target(fn.refStart + i), mine.target(i), fn.displayName() + ": target of reference " + i);
                assertEquals(refs.flags(fn.refStart + i), mine.flags(i), fn.displayName() + ": flags of reference " + i);
                assertEquals(refs.accessSize(fn.refStart + i), mine.accessSize(i), fn.displayName() + ": access of " + i);
            }
            // Every reference is reported to the sink once, in order, numbered from the function's first.
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(i);
            }
            assertEquals(all, reported, fn.displayName() + ": references reported to the sink");
            replayed++;
        }
        assertEquals(table.size(), replayed);
    }
}
