package dev.hotpatch.signer.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates a private file (mode 0600) whole or not at all, and only if it does not exist yet: the bytes go to a
 * temporary file in the same directory, which is then hard-linked to the target. Linking fails when the target
 * exists, so of two processes creating the same file at once exactly one wins and neither sees a partial file.
 */
final class PrivateFiles {
    private PrivateFiles() {}

    /** Creates {@code dir} (and missing parents) with mode 0700 for the last component, when it is missing. */
    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (posix(parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /** Returns true when this call created {@code target}, false when it already existed (left untouched). */
    static boolean createExclusive(Path target, byte[] bytes) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        // createTempFile makes the file 0600 on POSIX file systems.
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(true);
            }
            if (posix(dir)) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            try {
                Files.createLink(absolute, temp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof FileSystemException && Files.exists(absolute)) {
                    return false;
                }
                // No hard links here (some network and FUSE file systems): a plain move, which fails when the
                // target exists but leaves a short window between that check and the rename.
                try {
                    Files.move(temp, absolute);
                    return true;
                } catch (FileAlreadyExistsException lost) {
                    return false;
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static boolean posix(Path dir) throws IOException {
        return dir != null && Files.getFileStore(dir).supportsFileAttributeView("posix");
    }
}
