package dev.hotpatch.differ.functions;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11: NumberOfSections set to 0x7FFF or 0xFFFF in a small x64 DLL (the table then runs into the code and
 * past the file, giving hundreds of overlapping sections) hung diff in FunctionDiscovery.fillGaps. Discovery on
 * such an image now ends (each gap-walk step moves forward over merged code ranges), and diff refuses the file
 * at once with one checked error naming the header field.
 */
class HostileSectionTableTest {

    private static Path mutant(Path dir, int sections) throws Exception {
        byte[] b = Files.readAllBytes(RepoPaths.testdataBin().resolve("x64/constant_changed/v1.dll"));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(bb.getInt(0x3C) + 6, (short) sections);
        Path out = dir.resolve("sections-" + Integer.toHexString(sections) + ".dll");
        Files.write(out, b);
        return out;
    }

    @ParameterizedTest(name = "NumberOfSections {0}")
    @ValueSource(ints = {0x7FFF, 0xFFFF})
    void discoveryEndsOnOverlappingSections(int sections, @TempDir Path tmp) throws Exception {
        Path file = mutant(tmp, sections);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ImageCode code = new ImageCode(PeReader.read(file));
            FunctionDiscovery.discover(code, Symbols.fromCoff(code.image()), Differ.decoderFor(code));
        });
    }

    @ParameterizedTest(name = "NumberOfSections {0}")
    @ValueSource(ints = {0x7FFF, 0xFFFF})
    void diffRefusesTheImageWithOneCheckedError(int sections, @TempDir Path tmp) throws Exception {
        Path file = mutant(tmp, sections);
        Path v2 = RepoPaths.testdataBin().resolve("x64/constant_changed/v2.dll");
        DifferException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(DifferException.class,
                () -> Differ.diff(file, v2, Differ.Options.defaults())));
        assertTrue(e.getMessage().contains("num_sections"), e.getMessage());
    }
}
