package dev.hotpatch.engine;

import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's portable core built for Linux with the host's C compiler, with AddressSanitizer and
 * UndefinedBehaviorSanitizer (any finding aborts the program, so a test that runs it fails): engine/host/build.sh
 * builds the offline driver and the C unit tests into target/host.
 */
final class HostCore {
    private HostCore() {}

    private static Path built;

    /** The directory holding hp_offline and test_core, built once per test JVM. */
    static synchronized Path build() throws IOException, InterruptedException {
        if (built == null) {
            ExternalTools.require("cc", "gcc");
            Path engine = RepoPaths.root().resolve("engine");
            Path out = engine.resolve("target/host");
            Result r = run(List.of("bash", engine.resolve("host/build.sh").toString(), out.toString()));
            if (r.exit != 0) {
                throw new IllegalStateException("engine/host/build.sh failed: " + r.stderr);
            }
            built = out;
        }
        return built;
    }

    private static Path emulated;

    /**
     * The directory holding {x86,x64,arm64}/hpcore.dll: the core as the engine's cross compilers build it, with no
     * imports, for host/emulate_core.py (engine/host/build-emulated.sh), built once per test JVM.
     */
    static synchronized Path buildEmulated() throws IOException, InterruptedException {
        if (emulated == null) {
            ExternalTools.require("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
            ExternalTools.require("i686-w64-mingw32-gcc", "gcc-mingw-w64-i686");
            ExternalTools.require("clang", "clang");
            ExternalTools.require("ld.lld", "lld");
            Path engine = RepoPaths.root().resolve("engine");
            Path out = engine.resolve("target/emulated");
            Result r = run(List.of("bash", engine.resolve("host/build-emulated.sh").toString(), out.toString()));
            if (r.exit != 0) {
                throw new IllegalStateException("engine/host/build-emulated.sh failed: " + r.stderr);
            }
            emulated = out;
        }
        return emulated;
    }

    record Result(int exit, String stdout, String stderr) {}

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).start();
        p.getOutputStream().close();
        // stderr is small (one message); read stdout fully first, then stderr
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        int exit = p.waitFor();
        return new Result(exit, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
