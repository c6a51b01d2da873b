package dev.hotpatch.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the product is known to get wrong on a testdata scenario, read from one place: the scenario's
 * expect.json, field {@code known_gaps}, which maps a component ({@code "differ"}, {@code "differ_without_pdb"},
 * {@code "packager"}) to the
 * reason, either for every architecture (a string) or per architecture (an object from architecture to reason):
 * <pre>
 * "known_gaps": {"differ": {"x64": "issue 12: ...", "arm64": "issue 12: ..."}, "packager": "issue 12: ..."}
 * </pre>
 * A test that compares the product with a scenario's expectation calls {@link #skipIfKnown} first: a known gap
 * skips it with the reason (never weakening the expectation itself), and whoever fixes the gap deletes the
 * entry. A gap is not a missing external tool, so {@code hotpatch.requireExternalTools} does not turn it into a
 * failure.
 */
public final class KnownGaps {
    private KnownGaps() {}

    /** Components named in known_gaps. */
    public static final String DIFFER = "differ";
    /** The differ given the image alone, its PDB withheld. */
    public static final String DIFFER_WITHOUT_PDB = "differ_without_pdb";
    public static final String PACKAGER = "packager";

    /** The reason the component is known to fail the scenario on that architecture, if it is. */
    public static Optional<String> reason(String scenario, String component, String arch) {
        Path expectJson = RepoPaths.root().resolve("testdata/scenarios").resolve(scenario).resolve("expect.json");
        try {
            Object gaps = Json.object(Json.parse(Files.readString(expectJson))).get("known_gaps");
            if (gaps == null) {
                return Optional.empty();
            }
            Object entry = Json.object(gaps).get(component);
            if (entry instanceof String all) {
                return Optional.of(all);
            }
            if (entry != null) {
                Map<String, Object> perArch = Json.object(entry);
                return Optional.ofNullable(perArch.get(arch)).map(Object::toString);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips the calling test, with the reason, when the component has a known gap on the scenario and arch. */
    public static void skipIfKnown(String scenario, String component, String arch) {
        Optional<String> reason = reason(scenario, component, arch);
        if (reason.isPresent()) {
            String text = "known gap of the " + component + " on " + arch + "/" + scenario + " (testdata/scenarios/"
                    + scenario + "/expect.json known_gaps): " + reason.get();
            System.err.println("SKIPPED: " + text);
            assumeTrue(false, text);
        }
    }
}
