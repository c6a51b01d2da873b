package dev.hotpatch.packager.release;

import dev.hotpatch.differ.ImageKinds;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The PE files of two release trees, paired by their path relative to each tree's root: a file in both is a pair
 * to diff, a file in one only appeared or disappeared. A PE file is recognised by its content ("MZ", then "PE\0\0"
 * where e_lfanew says), not its name, so DLLs named .node or .pyd count too.
 */
public final class ReleaseTrees {
    private ReleaseTrees() {}

    /** How deep a release tree may nest; deeper entries are not looked at. */
    public static final int MAX_DEPTH = 64;
    /** How many PE files one tree may hold. */
    public static final int MAX_FILES = 100_000;

    /** One relative path and where it is in the old and new tree (either may be null). */
    public record Pair(String path, Path oldFile, Path newFile) {}

    public static List<Pair> pair(Path oldRoot, Path newRoot) throws IOException {
        Set<String> olds = peFiles(oldRoot);
        Set<String> news = peFiles(newRoot);
        Set<String> all = new TreeSet<>(olds);
        all.addAll(news);
        List<Pair> out = new ArrayList<>();
        for (String p : all) {
            out.add(new Pair(p, olds.contains(p) ? oldRoot.resolve(p) : null, news.contains(p) ? newRoot.resolve(p) : null));
        }
        return out;
    }

    /** The relative paths (with '/') of the PE files under {@code root}, sorted. */
    static Set<String> peFiles(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root, MAX_DEPTH, new FileVisitOption[0])) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p) && isPe(p)) {
                    if (out.size() >= MAX_FILES) {
                        throw new IOException(root + " holds more than " + MAX_FILES + " PE files; split the release");
                    }
                    out.add(root.relativize(p).toString().replace('\\', '/'));
                }
            }
        }
        return out;
    }

    /** Whether the file starts like a PE image: "MZ", and "PE\0\0" where e_lfanew says ({@link ImageKinds}). */
    static boolean isPe(Path p) {
        try {
            return ImageKinds.of(p).isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
