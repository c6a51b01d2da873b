package dev.hotpatch.differ.code;

import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ImageCode#readWord} (read in place from the file when the word is file-backed) gives the same value as
 * the bytes {@link ImageCode#read} copies, as the loader maps them: inside sections, across the end of their
 * file-backed bytes, in their zero-filled tails, and outside every section.
 */
class ImageCodeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"x64/switch_table_grows/v1.exe", "x86/function_grows/v1.dll", "arm64/switch_table_grows/v1.dll"})
    void readWordAgreesWithTheMappedBytes(String file) throws Exception {
        Path path = RepoPaths.testdataBin().resolve(file);
        ImageCode code = new ImageCode(PeReader.read(path));
        List<Long> rvas = new ArrayList<>();
        for (Section s : code.sections()) {
            long end = s.rva() + Math.max(s.virtualSize(), s.mappedSize());
            for (long at = s.rva(); at < end; at += 7) {
                rvas.add(at);
            }
            for (long d = -9; d <= 9; d++) {
                rvas.add(s.rva() + s.mappedSize() + d);      // across the end of the file-backed bytes
                rvas.add(end + d);                            // across the end of the section
                rvas.add(s.rva() + d);                        // across its start
            }
        }
        rvas.add(0L);
        rvas.add(code.sizeOfImage() - 4);
        rvas.add(code.sizeOfImage() + 0x1000);
        int checked = 0;
        for (long rva : rvas) {
            if (rva < 0) {
                continue;
            }
            for (int width : new int[] {4, 8}) {
                byte[] b = new byte[width];
                code.read(rva, width, b, 0);
                long want = 0;
                for (int i = width - 1; i >= 0; i--) {
                    want = want << 8 | (b[i] & 0xff);
                }
                long rvaOf = rva;
                assertEquals(want, code.readWord(rva, width), () -> String.format("%s: %d bytes at rva 0x%x", file, width, rvaOf));
                checked++;
            }
        }
        assertTrue(checked > 300, "only " + checked + " words checked");
    }
}
