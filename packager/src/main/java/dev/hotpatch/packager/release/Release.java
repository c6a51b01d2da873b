package dev.hotpatch.packager.release;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.DifferException;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.Finding;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.io.Sha256;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchRefusedException;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A whole release in one run: every PE file of the old tree paired with the new tree's file at the same relative
 * path, and for each changed pair a patch created, signed (by the caller's {@link Signing}) and written to
 * {@code OUT/<path>.hpatch}, on {@code jobs} threads. One pair's failure never stops the others; each gets an
 * {@link Entry} saying what happened.
 */
public final class Release {
    private Release() {}

    /** Signs and checks a patch made for {@code base}; fails with one sentence when it cannot. */
    @FunctionalInterface
    public interface Signing {
        byte[] signAndVerify(byte[] patch, PeImage base) throws Exception;
    }

    /** What happened to one relative path. */
    public enum Outcome {
        PATCHED("patched"), UNCHANGED("unchanged"), REFUSED("refused"), ADDED("added"), REMOVED("removed"),
        FAILED("failed");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /**
     * One relative path's result.
     *
     * @param reasons   for REFUSED and FAILED: one sentence each
     * @param patch     for PATCHED: the patch file written
     * @param changed   names of the changed and new functions (PATCHED and REFUSED)
     */
    public record Entry(String path, Outcome outcome, Optional<String> oldSha256, Optional<String> newSha256,
                        Optional<Path> patch, Optional<String> patchSha256, long patchBytes, List<String> changed,
                        List<String> reasons) {}

    public record Options(int jobs, Differ.Options diff, PatchWriter.Options writer) {}

    /** Told of each binary as it is done (from the worker threads, so it must be thread-safe). */
    @FunctionalInterface
    public interface Progress {
        void done(int finished, int total, Entry entry);
    }

    public static List<Entry> run(Path oldRoot, Path newRoot, Path outRoot, Options options, Signing signing)
            throws IOException {
        return run(oldRoot, newRoot, outRoot, options, signing, (finished, total, entry) -> {});
    }

    public static List<Entry> run(Path oldRoot, Path newRoot, Path outRoot, Options options, Signing signing,
                                  Progress progress) throws IOException {
        List<ReleaseTrees.Pair> pairs = ReleaseTrees.pair(oldRoot, newRoot);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.jobs()), r -> {
            Thread t = new Thread(r, "release");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Entry>> futures = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
            for (ReleaseTrees.Pair p : pairs) {
                futures.add(pool.submit(() -> {
                    Entry e = one(p, outRoot, options, signing);
                    progress.done(finished.incrementAndGet(), pairs.size(), e);
                    return e;
                }));
            }
            List<Entry> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                out.add(result(futures.get(i), pairs.get(i)));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Entry result(Future<Entry> f, ReleaseTrees.Pair p) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(p, "interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return failed(p, c instanceof OutOfMemoryError ? "out of memory; give the JVM more (-Xmx) or fewer --jobs"
                    : "internal error (" + c + "); please report it");
        }
    }

    private static Entry one(ReleaseTrees.Pair p, Path outRoot, Options options, Signing signing) {
        if (p.oldFile() == null || p.newFile() == null) {
            Path only = p.oldFile() != null ? p.oldFile() : p.newFile();
            Optional<String> hash = Sha256.of(only);
            return new Entry(p.path(), p.oldFile() == null ? Outcome.ADDED : Outcome.REMOVED,
                    p.oldFile() != null ? hash : Optional.empty(), p.newFile() != null ? hash : Optional.empty(),
                    Optional.empty(), Optional.empty(), 0, List.of(), List.of());
        }
        Optional<String> oldHash = Sha256.of(p.oldFile());
        Optional<String> newHash = Sha256.of(p.newFile());
        if (oldHash.isEmpty() || newHash.isEmpty()) {
            return failed(p, "cannot read " + (oldHash.isEmpty() ? p.oldFile() : p.newFile()));
        }
        if (oldHash.equals(newHash)) {
            return new Entry(p.path(), Outcome.UNCHANGED, oldHash, newHash, Optional.empty(), Optional.empty(), 0,
                    List.of(), List.of());
        }
        try {
            Packager.Made made = Packager.make(p.oldFile(), p.newFile(), options.diff(), options.writer());
            DiffResult diff = made.diff();
            List<String> changed = new ArrayList<>();
            diff.withStatus(Status.CHANGED).forEach(f -> changed.add(f.name()));
            diff.withStatus(Status.NEW).forEach(f -> changed.add(f.name()));
            if (made.patch().isEmpty()) {
                if (diff.verdict() == DiffResult.Verdict.NOTHING_TO_PATCH) {
                    return new Entry(p.path(), Outcome.UNCHANGED, oldHash, newHash, Optional.empty(), Optional.empty(),
                            0, List.of(), List.of());
                }
                return new Entry(p.path(), Outcome.REFUSED, oldHash, newHash, Optional.empty(), Optional.empty(), 0,
                        changed, diff.findings().stream().map(Finding::message).toList());
            }
            byte[] signed = signing.signAndVerify(made.patch().get(), made.base());
            Path out = outRoot.resolve(p.path() + ".hpatch");
            Files.createDirectories(out.getParent());
            AtomicFile.write(out, signed);
            return new Entry(p.path(), Outcome.PATCHED, oldHash, newHash, Optional.of(out), Optional.of(Sha256.of(signed)),
                    signed.length, changed, List.of());
        } catch (PatchRefusedException e) {
            return new Entry(p.path(), Outcome.REFUSED, oldHash, newHash, Optional.empty(), Optional.empty(), 0,
                    List.of(), List.of(e.getMessage()));
        } catch (PeFormatException e) {
            return failed(p, "not a valid PE image: " + e.getMessage());
        } catch (DifferException | IOException e) {
            return failed(p, e.getMessage());
        } catch (Exception e) {
            return failed(p, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static Entry failed(ReleaseTrees.Pair p, String why) {
        return new Entry(p.path(), Outcome.FAILED, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, List.of(), List.of(why));
    }
}
