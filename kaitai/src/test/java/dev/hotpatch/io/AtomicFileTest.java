package dev.hotpatch.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AtomicFile}: whole or nothing, the right mode, errors naming the target, and no temporary file left after
 * an error, a SIGTERM or SIGINT (removed by the writer) or a SIGKILL (removed by the next write to the directory).
 */
class AtomicFileTest {

    @Test
    void writesTheBytesWithTheDefaultModeOrTheReplacedFilesMode(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("a.bin");
        AtomicFile.write(out, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));

        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-x---"));
        AtomicFile.write(out, new byte[] {4});
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(out));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)),
                "a replaced file keeps its mode");

        AtomicFile.write(out, new byte[] {5}, Optional.of(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(List.of("a.bin"), names(dir));
    }

    @Test
    void errorsNameTheTargetNotTheTemporaryFile(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-dir").resolve("p.hpatch");
        IOException e = assertThrows(AtomicFile.WriteException.class, () -> AtomicFile.write(missing, new byte[1]));
        assertTrue(e.getMessage().startsWith("cannot write " + missing + ": the directory"), e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());

        IOException dirTarget = assertThrows(AtomicFile.WriteException.class, () -> AtomicFile.write(dir, new byte[1]));
        assertTrue(dirTarget.getMessage().contains("is a directory"), dirTarget.getMessage());
    }

    @Test
    void aFailingBodyLeavesNothingBehind(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("p.bin");
        Files.write(out, new byte[] {9});
        assertThrows(IOException.class, () -> AtomicFile.write(out, Optional.empty(), channel -> {
            channel.write(ByteBuffer.wrap(new byte[100]));
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(out), "the old file is untouched");
        assertEquals(List.of("p.bin"), names(dir));
    }

    @Test
    void sigtermAndSigintRemoveTheTemporaryFile(@TempDir Path dir) throws Exception {
        // A process started in the background by a non-interactive shell (nohup, `cmd &`) ignores SIGINT, and a
        // JVM keeps an inherited "ignore": then only SIGTERM can be sent here, as it is what such a process gets.
        List<String> signals = ignoresSigint() ? List.of("TERM") : List.of("TERM", "INT");
        for (String signal : signals) {
            Path out = dir.resolve("p-" + signal + ".bin");
            Process child = startBlockedWriter(out);
            assertEquals(1, temporaries(dir).size(), "the writer has its temporary file open");
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start().waitFor());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer exits on SIG" + signal);
            assertEquals(List.of(), temporaries(dir), "SIG" + signal + " removed the temporary file");
            assertFalse(Files.exists(out), "nothing was written");
        }
    }

    @Test
    void aTemporaryFileLeftByASigkillIsRemovedByTheNextWrite(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p.bin");
        Process child = startBlockedWriter(out);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        List<Path> left = temporaries(dir);
        assertEquals(1, left.size(), "SIGKILL cannot be caught: the temporary file stays");
        assertTrue(AtomicFile.isTemporary(left.get(0).getFileName().toString()));

        // A temporary file of a process that still runs is not touched.
        Path live = dir.resolve(".other.bin.hotpatch-" + ProcessHandle.current().pid() + "-1.tmp");
        Files.write(live, new byte[1]);
        AtomicFile.write(dir.resolve("q.bin"), new byte[] {1});
        assertEquals(List.of(live), temporaries(dir), "the dead writer's file went, the live one stayed");
    }

    /** Whether this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status), so its children do too. */
    private static boolean ignoresSigint() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    /** Starts a JVM that writes {@code out} and blocks mid-write, and waits until its temporary file exists. */
    private static Process startBlockedWriter(Path out) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BlockedWriter.class.getName(), out.toString())
                .redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        assertEquals("writing", line, "the child started writing");
        return p;
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> AtomicFile.isTemporary(p.getFileName().toString())).sorted().toList();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The child: writes part of a file, says so, then waits to be signalled. */
    public static final class BlockedWriter {
        public static void main(String[] args) throws IOException {
            AtomicFile.write(Path.of(args[0]), Optional.empty(), channel -> {
                channel.write(ByteBuffer.wrap(new byte[4096]));
                System.out.println("writing");
                System.out.flush();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }
}
