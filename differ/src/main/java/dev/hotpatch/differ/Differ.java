package dev.hotpatch.differ;

import dev.hotpatch.differ.classify.Classifier;
import dev.hotpatch.differ.classify.DiffResult;
import dev.hotpatch.differ.classify.FunctionDiff;
import dev.hotpatch.differ.classify.Status;
import dev.hotpatch.differ.code.Arm64Decoder;
import dev.hotpatch.differ.code.CodeDecoder;
import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.X86CodeDecoder;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionDiscovery;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.functions.Symbols;
import dev.hotpatch.differ.match.Matcher;
import dev.hotpatch.differ.match.Matching;
import dev.hotpatch.differ.normalise.Normaliser;
import dev.hotpatch.differ.normalise.RefTable;
import dev.hotpatch.differ.plan.PatchPlan;
import dev.hotpatch.differ.plan.PatchPlanner;
import dev.hotpatch.differ.render.DifferenceFinder;
import dev.hotpatch.differ.resolve.Resolver;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.LoadableLayout;
import dev.hotpatch.pe.PeReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The differ's pipeline: read both images, then for each (in parallel, one thread and one decoder per
 * image) discover its functions, normalise them and resolve their references; match old and new; classify;
 * explain the first difference of each changed function.
 */
public final class Differ {
    /** How many changed functions get their first difference rendered (each costs a Capstone pass). */
    public static final int MAX_EXPLAINED = 2000;

    /** Optional inputs: PDBs given explicitly (else one beside each binary is used when it matches). */
    public record Options(Optional<Path> oldPdb, Optional<Path> newPdb, boolean explain) {
        public static Options defaults() {
            return new Options(Optional.empty(), Optional.empty(), true);
        }
    }

    private Differ() {}

    public static DiffResult diff(Path oldPath, Path newPath, Options options)
            throws IOException, PeFormatException, DifferException {
        return run(oldPath, newPath, options, false).result();
    }

    /**
     * A diff and, when the difference can be hotpatched, what the patch must contain; with the two images as
     * parsed for the diff, so that the packager need not read them again.
     */
    public record Outcome(DiffResult result, Optional<PatchPlan> plan, PeImage oldImage, PeImage newImage) {}

    /** Diffs, then plans the patch when the verdict is "patchable". */
    public static Outcome diffAndPlan(Path oldPath, Path newPath, Options options)
            throws IOException, PeFormatException, DifferException {
        return run(oldPath, newPath, options, true);
    }

    private static Outcome run(Path oldPath, Path newPath, Options options, boolean plan)
            throws IOException, PeFormatException, DifferException {
        ImageKinds.requireComparable(oldPath, newPath);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "differ-image");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<ImageAnalysis> oldFuture = pool.submit(() -> analyse(oldPath, options.oldPdb()));
            Future<ImageAnalysis> newFuture = pool.submit(() -> analyse(newPath, options.newPdb()));
            ImageAnalysis a = get(oldFuture);
            ImageAnalysis b = get(newFuture);
            long t0 = System.nanoTime();
            Matching matching = Matcher.match(a, b);
            long t1 = System.nanoTime();
            Classifier classifier = Classifier.of(a, b, matching);
            DiffResult result = classifier.run();
            long t2 = System.nanoTime();
            DiffResult explained = options.explain() ? explain(result, a, b, classifier) : result;
            if (System.getenv("HOTPATCH_TIMINGS") != null) {
                System.err.printf("match %d ms, classify %d ms, explain %d ms%n", (t1 - t0) / 1000000,
                        (t2 - t1) / 1000000, (System.nanoTime() - t2) / 1000000);
            }
            Optional<PatchPlan> patch = plan && result.verdict() == DiffResult.Verdict.PATCHABLE
                    ? Optional.of(PatchPlanner.plan(a, b, matching, result)) : Optional.empty();
            return new Outcome(explained, patch, a.code().image(), b.code().image());
        } finally {
            pool.shutdownNow();
        }
    }

    private static ImageAnalysis get(Future<ImageAnalysis> f) throws IOException, PeFormatException, DifferException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof PeFormatException pe) {
                throw pe;
            }
            if (c instanceof DifferException de) {
                throw de;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Discovery, normalisation and resolution of one image, on the calling thread. */
    public static ImageAnalysis analyse(Path path, Optional<Path> pdb) throws IOException, PeFormatException, DifferException {
        PeImage image;
        try {
            image = PeReader.read(path);
            LoadableLayout.check(image);
        } catch (PeFormatException e) {
            throw new DifferException(path + " is not a valid PE image: " + e.getMessage()
                    + "; the file is malformed or not a Windows binary.", e);
        }
        ImageCode code = new ImageCode(image);
        List<String> warnings = new ArrayList<>(image.warnings());
        Symbols symbols = Symbols.fromCoff(image);
        DebugSymbols.addPdb(symbols, image, path, pdb, warnings);
        CodeDecoder decoder = decoderFor(code);
        long t0 = System.nanoTime();
        FunctionTable functions;
        try {
            functions = FunctionDiscovery.discover(code, symbols, decoder);
        } catch (FunctionDiscovery.TooManyFunctions e) {
            throw new DifferException(path + " cannot be diffed: " + e.getMessage() + "; it is not a program this tool can patch.", e);
        }
        long t1 = System.nanoTime();
        RefTable refs = new RefTable();
        Normaliser normaliser = new Normaliser(code, functions, decoder, refs);
        normaliser.normalise(0, functions.size());
        long t2 = System.nanoTime();
        long instructions = 0;
        for (Fn f : functions.functions()) {
            instructions += f.instructions;
        }
        Resolver resolver = new Resolver(code, functions, refs, symbols);
        resolver.resolveAll();
        long t3 = System.nanoTime();
        if (System.getenv("HOTPATCH_TIMINGS") != null) {
            System.err.printf("%s: discover %d ms, normalise %d ms, resolve %d ms%n", path.getFileName(),
                    (t1 - t0) / 1000000, (t2 - t1) / 1000000, (t3 - t2) / 1000000);
        }
        return new ImageAnalysis(path, code, functions, resolver, instructions, List.copyOf(warnings));
    }

    public static CodeDecoder decoderFor(ImageCode code) throws DifferException {
        Machine m = code.machine();
        if (m == Machine.ARM64) {
            return new Arm64Decoder();
        }
        if (m == Machine.I386 || m == Machine.AMD64) {
            return new X86CodeDecoder(code);
        }
        throw new DifferException("machine " + m.shortName() + " (0x" + Integer.toHexString(code.image().fileHeader().machine().code())
                + ") is not supported; the differ handles x86, x64 and ARM64 images.");
    }

    private static DiffResult explain(DiffResult result, ImageAnalysis a, ImageAnalysis b, Classifier classifier)
            throws DifferException {
        List<FunctionDiff> out = new ArrayList<>(result.functions().size());
        int explained = 0;
        try (DifferenceFinder finder = new DifferenceFinder(a, b, classifier)) {
            for (FunctionDiff f : result.functions()) {
                if (f.status() == Status.CHANGED && explained < MAX_EXPLAINED) {
                    out.add(f.withDifference(finder.first(a.function(f.oldIndex()), b.function(f.newIndex()))));
                    explained++;
                } else {
                    out.add(f);
                }
            }
        }
        return new DiffResult(result.oldImage(), result.newImage(), out, result.sameFunctions(), result.globals(),
                result.newImports(), result.removedExports(), result.findings());
    }
}
