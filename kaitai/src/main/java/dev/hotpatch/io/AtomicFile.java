package dev.hotpatch.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file whole or not at all: a temporary file in the target's directory, synced, then renamed over the
 * target. Nothing half-written is left behind:
 * <ul>
 *   <li>an error removes the temporary file;</li>
 *   <li>SIGTERM and SIGINT (Ctrl-C) remove it too: a shutdown hook deletes every temporary file still open;</li>
 *   <li>a SIGKILL cannot be caught, so each write first removes the temporary files of ours in that directory
 *       whose writing process no longer runs (the process id is part of the name:
 *       {@code .NAME.hotpatch-PID-N.tmp}).</li>
 * </ul>
 * Errors are {@link WriteException}s that name the target the caller gave, never the temporary file.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** An ordinary build output: rw-r--r--. */
    public static final Set<PosixFilePermission> DEFAULT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private static final String MARK = ".hotpatch-";
    private static final Pattern OURS = Pattern.compile("^\\..+\\.hotpatch-(\\d+)-\\d+\\.tmp$");
    private static final long PID = ProcessHandle.current().pid();
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFile::removeOpen, "hotpatch-temp-cleanup"));
    }

    /** Writes the content of a file into the temporary file's channel (for outputs streamed rather than held). */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** A write that failed, as one sentence naming the target. */
    public static final class WriteException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Writes {@code bytes} to {@code target}, keeping the mode of the file it replaces (else {@link #DEFAULT_MODE}). */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, Optional.empty());
    }

    /**
     * Writes {@code bytes} to {@code target} with the given POSIX mode; without one, the mode of the file it replaces
     * (else {@link #DEFAULT_MODE}).
     */
    public static void write(Path target, byte[] bytes, Optional<Set<PosixFilePermission>> mode) throws IOException {
        write(target, mode, channel -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        });
    }

    /** Writes what {@code body} puts into the channel, as {@link #write(Path, byte[], Optional)} does. */
    public static void write(Path target, Optional<Set<PosixFilePermission>> mode, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new WriteException("cannot write " + target + ": the directory " + (dir == null ? "/" : dir)
                    + " does not exist; create it or choose another output", null);
        }
        if (Files.isDirectory(absolute)) {
            throw new WriteException("cannot write " + target + ": it is a directory; give a file name", null);
        }
        removeStale(dir);
        Set<PosixFilePermission> permissions = mode.orElseGet(() -> modeOf(absolute).orElse(DEFAULT_MODE));
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + absolute.getFileName() + MARK + PID + "-", ".tmp");
        } catch (IOException e) {
            throw failure(target, dir, e);
        }
        OPEN.add(temp);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(channel);
                channel.force(true);
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            if (posix != null) {
                // createTempFile makes the file private (0600); the output gets the mode it should have.
                posix.setPermissions(permissions);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (AtomicMoveNotSupportedException e) {
            throw new WriteException("cannot write " + target + ": its file system cannot replace it atomically ("
                    + e.getReason() + "); choose an output on a local file system", e);
        } catch (WriteException e) {
            throw e;
        } catch (IOException e) {
            throw failure(target, dir, e);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
            OPEN.remove(temp);
        }
    }

    /** The POSIX mode of {@code file}, when it exists and the file system has modes. */
    public static Optional<Set<PosixFilePermission>> modeOf(Path file) {
        try {
            return Files.exists(file) && Files.getFileAttributeView(file, PosixFileAttributeView.class) != null
                    ? Optional.of(Files.getPosixFilePermissions(file)) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code name} is one of our temporary files (for tests and tools that look for leftovers). */
    public static boolean isTemporary(String name) {
        return OURS.matcher(name).matches();
    }

    private static WriteException failure(Path target, Path dir, IOException e) {
        String why;
        if (e instanceof AccessDeniedException) {
            why = "permission denied in " + dir + "; choose a directory you can write to";
        } else if (e instanceof NoSuchFileException) {
            why = "the directory " + dir + " does not exist; create it or choose another output";
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            why = fse.getReason().toLowerCase(java.util.Locale.ROOT) + "; check the directory " + dir;
        } else {
            why = e.getMessage() + "; check the directory " + dir;
        }
        return new WriteException("cannot write " + target + ": " + why, e);
    }

    /** Removes the temporary files of ours in {@code dir} left by processes that no longer run (a SIGKILL). */
    private static void removeStale(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "." + "*" + MARK + "*.tmp")) {
            for (Path p : entries) {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != PID && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Cleaning up after another process is a courtesy; the write itself goes on.
        }
    }

    private static void removeOpen() {
        for (Path p : OPEN) {
            deleteQuietly(p);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Nothing more to do: the path is named in no output.
        }
    }
}
