package dev.hotpatch.pe;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exception and debug directories of the built samples in testdata/bin (mingw x64 and x86, clang and
 * lld-link ARM64) agree with llvm-readobj: the same function ranges and handlers, and the same PDB path.
 */
class DirectoryReadersSamplesTest {
    private static final Pattern X64_START = Pattern.compile("StartAddress: .*\\(0x([0-9A-F]+)\\)");
    private static final Pattern X64_END = Pattern.compile("EndAddress: .*\\(0x([0-9A-F]+)\\)");
    private static final Pattern PDB = Pattern.compile("PDBFileName: (.*)");

    static List<Path> samples() {
        Path bin = RepoPaths.testdataBin();
        if (!Files.isDirectory(bin)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(bin)) {
            return files.filter(p -> p.toString().endsWith(".exe") || p.toString().endsWith(".dll")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readobj(String option, Path file) throws Exception {
        Path tool = ExternalTools.require("llvm-readobj", "llvm");
        Process p = new ProcessBuilder(tool.toString(), option, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static List<Long> all(Pattern pattern, String text, long minus) {
        List<Long> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1), 16) - minus);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void functionRangesAndPdbMatchLlvmReadobj(Path sample) throws Exception {
        PeImage image = PeReader.read(sample);
        String unwind = readobj("--unwind", sample);
        RuntimeFunctions rf = image.runtimeFunctions();
        if (image.machine() == Machine.AMD64) {
            assertEquals(all(X64_START, unwind, image.imageBase()), rf.stream().map(RuntimeFunction::beginRva).toList());
            assertEquals(all(X64_END, unwind, image.imageBase()), rf.stream().map(RuntimeFunction::endRva).toList());
            long handlers = unwind.lines().filter(l -> l.trim().startsWith("Handler:")).count();
            assertEquals(handlers, rf.stream().filter(RuntimeFunction::hasHandler).count());
        } else {
            assertEquals(unwind.lines().filter(l -> l.trim().startsWith("RuntimeFunction {")).count(), rf.size());
        }
        assertTrue(rf.isSorted());
        Matcher pdb = PDB.matcher(readobj("--coff-debug-directory", sample));
        assertEquals(pdb.find() ? pdb.group(1).trim() : null, image.codeView().map(CodeViewInfo::pdbPath).orElse(null));
    }

    @Test
    void samplesArePresent() {
        assertTrue(samples().size() > 100, "the built samples are committed under " + RepoPaths.testdataBin());
    }
}
