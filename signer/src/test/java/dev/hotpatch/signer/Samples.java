package dev.hotpatch.signer;

import dev.hotpatch.testsupport.RepoPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The committed sample images the signer tests sign (testdata/bin), one per machine. */
public final class Samples {
    private Samples() {}

    /** A small unsigned DLL built for that machine ("x86", "x64", "arm64"). */
    public static Path dll(String machine) {
        return RepoPaths.testdataBin().resolve(machine).resolve("constant_changed").resolve("v1.dll");
    }

    public static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The smallest v1 image under testdata/bin, for the exhaustive tamper test. */
    public static Path smallest() {
        try (Stream<Path> s = Files.walk(RepoPaths.testdataBin())) {
            return s.filter(p -> p.getFileName().toString().matches("v1\\.(dll|exe)"))
                    .min(Comparator.comparingLong(Samples::size).thenComparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("no samples under " + RepoPaths.testdataBin()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
