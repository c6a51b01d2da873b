package dev.hotpatch.cli;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.io.AtomicFile;
import dev.hotpatch.packager.release.Release;
import dev.hotpatch.packager.release.ReleaseReport;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.signer.SignOptions;
import dev.hotpatch.signer.Signer;
import dev.hotpatch.signer.keys.CertificateChains;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@code hotpatch release OLD_DIR NEW_DIR -o OUT_DIR}: a patch for every changed binary of a release, in one run. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Pairs the PE files of two release trees by relative path and, for each changed binary, creates, "
                + "signs and verifies a patch (OUT_DIR/<path>.hpatch), using every core. Writes OUT_DIR/release.json and "
                + "OUT_DIR/release.html: what was patched, what is unchanged, what was refused and why, and which "
                + "files appeared or disappeared. One binary's failure never stops the others.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every changed binary got a patch",
            "  4  at least one was refused (the others are written; release.json says why)",
            "  1  an input could not be read (the others are still done), or an internal error",
            "  2  usage error (including an OUT_DIR inside a tree, or one not empty without --force)"
        })
final class ReleaseCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD_DIR", description = "the release that runs now")
    Path oldRoot;

    @Parameters(index = "1", paramLabel = "NEW_DIR", description = "the fixed release")
    Path newRoot;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT_DIR", description = "where the patches and reports go")
    Path outRoot;

    @Option(names = "--force", description = "write into OUT_DIR even if it is not empty (replacing what is there)")
    boolean force;

    @Option(names = "--jobs", paramLabel = "N", description = "binaries worked on at once (default: the number of cores)")
    Integer jobs;

    @Option(names = "--json", description = "print release.json to stdout as well")
    boolean json;

    @Option(names = "--quiet", description = "no progress on stderr (it is shown only when stderr is a terminal)")
    boolean quiet;

    @Mixin
    PatchHeaderOptions header = new PatchHeaderOptions();

    @Option(names = "--trust", paramLabel = "ANCHOR", description = "trust anchor each signed patch is verified against")
    List<Path> trust = new ArrayList<>();

    @Mixin
    KeyOptions key = new KeyOptions();

    @Mixin
    SignatureOptions signature = new SignatureOptions();

    @Mixin
    TimestampOptions timestamps = new TimestampOptions();

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    /** One line per binary on stderr while it runs, when a person watches (a terminal) and did not ask for quiet. */
    private Release.Progress progress(PrintWriter err) {
        if (quiet || System.console() == null) {
            return (finished, total, entry) -> {};
        }
        return (finished, total, entry) -> {
            synchronized (err) {
                err.printf("[%d/%d] %s: %s%n", finished, total, entry.path(), entry.outcome().id());
                err.flush();
            }
        };
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PatchWriter.Options writerOptions = header.toWriterOptions();
        if (jobs != null && (jobs < 1 || jobs > 256)) {
            throw new Errors.UsageException("--jobs " + jobs + " is out of range; give 1 to 256");
        }
        for (Path root : List.of(oldRoot, newRoot)) {
            if (!Files.isDirectory(root)) {
                throw new Errors.InputException(root + " is not a directory; give the root of a release tree", null);
            }
        }
        Path outAbs = outRoot.toAbsolutePath().normalize();
        for (Path root : List.of(oldRoot, newRoot)) {
            Path r = root.toRealPath();
            if (outAbs.startsWith(r) || Files.exists(outRoot) && outRoot.toRealPath().startsWith(r)) {
                throw new Errors.UsageException("OUT_DIR " + outRoot + " lies inside the release tree " + root
                        + "; choose an output outside both trees, inputs are never written to");
            }
        }
        if (Files.exists(outRoot) && !Files.isDirectory(outRoot)) {
            throw new Errors.UsageException("OUT_DIR " + outRoot + " is a file; give a directory");
        }
        if (Files.isDirectory(outRoot) && !force) {
            try (Stream<Path> s = Files.list(outRoot)) {
                if (s.findAny().isPresent()) {
                    throw new Errors.UsageException("OUT_DIR " + outRoot + " is not empty; pass --force to write into it");
                }
            }
        }
        SigningKeys.Loaded signer = SigningKeys.load(key, true);
        SignOptions signOptions = signature.toSignOptions(timestamps);
        List<X509Certificate> anchors = SigningKeys.anchorsFor(signer, CertificateChains.readAnchors(trust));
        Files.createDirectories(outRoot);

        Release.Options options = new Release.Options(jobs != null ? jobs : Runtime.getRuntime().availableProcessors(),
                Differ.Options.defaults(), writerOptions);
        List<Release.Entry> entries = Release.run(oldRoot, newRoot, outRoot, options, (patch, base) -> {
            byte[] signed = Signer.sign(patch, signer.key(), signOptions);
            PatchVerification v = PatchVerification.of(signed, base, anchors, 0);
            if (!v.trusted()) {
                throw new IllegalStateException("the signed patch does not verify: " + v.problems().stream()
                        .map(p -> p.kind() + ": " + p.message()).collect(Collectors.joining("; ")));
            }
            return signed;
        }, progress(err));
        ReleaseReport report = new ReleaseReport(oldRoot, newRoot, outRoot, entries);
        if (entries.stream().anyMatch(e -> e.outcome() == Release.Outcome.PATCHED)) {
            signer.announce(err);
        }
        AtomicFile.write(outRoot.resolve("release.json"), report.toJson().getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(outRoot.resolve("release.html"), report.toHtml().getBytes(StandardCharsets.UTF_8));
        if (json) {
            out.print(report.toJson());
        } else {
            StringBuilder counts = new StringBuilder();
            report.counts().forEach((k, v) -> {
                if (v > 0) {
                    counts.append(counts.length() == 0 ? "" : ", ").append(v).append(' ').append(k.id());
                }
            });
            out.println("release: " + counts + "; wrote " + outRoot.resolve("release.json") + " and release.html");
            for (Release.Entry e : entries) {
                if (e.outcome() == Release.Outcome.REFUSED || e.outcome() == Release.Outcome.FAILED) {
                    out.println("  " + e.outcome().id() + ": " + e.path() + ": " + String.join("; ", e.reasons()));
                }
            }
        }
        out.flush();
        return report.exitCode();
    }
}
