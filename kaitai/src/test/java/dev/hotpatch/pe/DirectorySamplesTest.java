package dev.hotpatch.pe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reads the built samples under testdata/bin (x64 and x86 mingw, arm64 lld-link) and checks our exports,
 * imports, delay-load imports, base relocations, TLS directory and COFF symbols against pefile and mingw
 * objdump, through pe_directories.py. Skips, saying why, when the samples or the tools are missing.
 */
class DirectorySamplesTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String OBJDUMP = "x86_64-w64-mingw32-objdump";

    static Path samplesDir() {
        return Path.of(System.getProperty("hotpatch.root.dir", "..")).resolve("testdata").resolve("bin")
                .toAbsolutePath().normalize();
    }

    static List<Path> samples() throws IOException {
        if (!Files.isDirectory(samplesDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(samplesDir(), 4)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".exe") || p.toString().endsWith(".dll"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void samplesArePresent() throws IOException {
        assumeFalse(samples().isEmpty(), "no samples under " + samplesDir() + " (build them with testdata/build.sh)");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)   // samplesArePresent says when there are none
    @MethodSource("samples")
    void directoriesMatchPefileAndObjdump(Path sample) throws Exception {
        assumeTrue(pefileAvailable(), "pefile is missing: apt-get install python3-pefile");
        PeImage image = PeReader.read(sample);
        boolean symbols = image.machine() == Machine.AMD64 || image.machine() == Machine.I386;
        assumeTrue(!symbols || image.symbols().isEmpty() || onPath(OBJDUMP),
                OBJDUMP + " is missing: apt-get install binutils-mingw-w64-x86-64");

        List<String> ours = new ArrayList<>(DirectoryDump.exports(image));
        ours.addAll(DirectoryDump.imports(image));
        ours.addAll(DirectoryDump.relocations(image));
        ours.addAll(DirectoryDump.tls(image));
        if (symbols) {
            ours.addAll(DirectoryDump.symbols(image));
        }
        assertEquals(sorted(theirs(sample)), sorted(ours), sample + " warnings: " + image.warnings());
    }

    private static List<String> theirs(Path sample) throws IOException, InterruptedException, URISyntaxException {
        Path script = Path.of(DirectorySamplesTest.class.getResource("pe_directories.py").toURI());
        Process p = new ProcessBuilder(PYTHON, script.toString(), sample.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("pe_directories.py failed on " + sample);
        }
        String text = new String(out, StandardCharsets.ISO_8859_1);
        return text.isBlank() ? List.of() : List.of(text.strip().split("\n"));
    }

    private static boolean pefileAvailable() throws InterruptedException {
        try {
            return new ProcessBuilder(PYTHON, "-c", "import pefile").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }
}
