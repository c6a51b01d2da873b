package dev.hotpatch.engine;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed engine binaries (engine/bin) are what engine/build.sh builds from the committed sources, byte for
 * byte: a rebuild into a scratch directory gives the same files, no more and no fewer.
 */
class CommittedBinariesTest {
    @Test
    void rebuildIsBitIdentical(@TempDir Path tmp) throws Exception {
        for (String tool : List.of("x86_64-w64-mingw32-gcc", "i686-w64-mingw32-gcc", "clang", "ld.lld", "llvm-dlltool")) {
            ExternalTools.require(tool, tool.startsWith("x86_64") ? "gcc-mingw-w64-x86-64"
                    : tool.startsWith("i686") ? "gcc-mingw-w64-i686" : tool.equals("ld.lld") ? "lld"
                    : tool.equals("llvm-dlltool") ? "llvm" : "clang");
        }
        Path engine = RepoPaths.root().resolve("engine");
        HostCore.Result r = HostCore.run(List.of("bash", engine.resolve("build.sh").toString(), tmp.toString()));
        assertEquals(0, r.exit(), r.stderr());
        List<Path> committed = files(engine.resolve("bin"));
        List<Path> rebuilt = files(tmp);
        assertEquals(committed, rebuilt, "the same files");
        assertTrue(committed.size() >= 13, committed.toString());
        for (Path p : committed) {
            assertArrayEquals(Files.readAllBytes(engine.resolve("bin").resolve(p)), Files.readAllBytes(tmp.resolve(p)),
                    "engine/bin/" + p + " differs from a rebuild; run engine/build.sh and commit the result");
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
    }
}
