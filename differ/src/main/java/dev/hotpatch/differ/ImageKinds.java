package dev.hotpatch.differ;

import dev.hotpatch.pe.Machine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What kind of image a file claims to be (machine, and DLL or EXE), read from its first headers only, so that a
 * pair that cannot be two builds of one binary is refused before seconds of analysis. A file whose headers this
 * cannot read is left to the full reader, which names what is wrong.
 */
public record ImageKinds(Machine machine, int machineCode, boolean dll) {
    private static final int IMAGE_FILE_DLL = 0x2000;
    /** e_lfanew is at most this far in (the reader's own limit is the file size); enough for every real header. */
    private static final int HEADER_BYTES = 64 * 1024;

    /** Fails with one sentence when {@code oldPath} and {@code newPath} are of different machines or kinds. */
    public static void requireComparable(Path oldPath, Path newPath) throws IOException, DifferException {
        Optional<ImageKinds> a = of(oldPath);
        Optional<ImageKinds> b = of(newPath);
        if (a.isEmpty() || b.isEmpty()) {
            return;
        }
        if (a.get().machineCode() != b.get().machineCode() || a.get().dll() != b.get().dll()) {
            throw new DifferException(oldPath + " is " + a.get().describe() + " and " + newPath + " is "
                    + b.get().describe() + "; a patch is made from two builds of the same binary for the same machine,"
                    + " so give the old and new build of one binary");
        }
    }

    /** The kind the headers of {@code path} claim, or empty when they cannot be read here. */
    public static Optional<ImageKinds> of(Path path) throws IOException {
        byte[] head = new byte[HEADER_BYTES];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n < 0x40 || head[0] != 'M' || head[1] != 'Z') {
            return Optional.empty();
        }
        long lfanew = u32(head, 0x3c);
        if (lfanew + 24 > n) {
            return Optional.empty();
        }
        int pe = (int) lfanew;
        if (head[pe] != 'P' || head[pe + 1] != 'E' || head[pe + 2] != 0 || head[pe + 3] != 0) {
            return Optional.empty();
        }
        int machine = u16(head, pe + 4);
        int characteristics = u16(head, pe + 22);
        return Optional.of(new ImageKinds(Machine.of(machine), machine, (characteristics & IMAGE_FILE_DLL) != 0));
    }

    /** "an x64 DLL", "an x86 EXE", "a DLL of machine 0x1234". */
    String describe() {
        String kind = dll ? "DLL" : "EXE";
        return machine == Machine.UNKNOWN ? String.format("a %s of machine 0x%04x", kind, machineCode)
                : "an " + machine.shortName() + " " + kind;
    }

    private static int u16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int o) {
        return u16(b, o) | (long) u16(b, o + 2) << 16;
    }
}
