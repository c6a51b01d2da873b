package dev.hotpatch.cli;

import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.KnownGaps;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hotpatch release} over every sample (all scenarios, all machines) laid out as two release trees: a patch for
 * every patchable scenario, exactly the unpatchable ones refused, unchanged ones reported as such, files that
 * appear or disappear listed, and release.json carrying the inputs' and patches' SHA-256.
 */
class ReleaseCommandTest {
    static Path oldTree;
    static Path newTree;
    /** Relative path of each binary in the trees -> whether its scenario is hotpatchable with something to patch. */
    static final Map<String, String> EXPECTED = new HashMap<>();

    static CommandRun run(String... args) {
        return CommandRun.run(args);
    }

    @BeforeAll
    static void trees(@TempDir Path tmp) throws Exception {
        oldTree = tmp.resolve("old");
        newTree = tmp.resolve("new");
        Path bin = RepoPaths.testdataBin();
        try (Stream<Path> files = Files.walk(bin)) {
            for (Path v1 : files.filter(p -> p.getFileName().toString().matches("v1\\.(exe|dll|pdb|exe\\.pdb|dll\\.pdb)"))
                    .toList()) {
                Path rel = bin.relativize(v1.getParent());
                String ext = v1.getFileName().toString().substring(3);
                Files.createDirectories(oldTree.resolve(rel));
                Files.createDirectories(newTree.resolve(rel));
                if (ext.equals("pdb")) {
                    // Found beside the image by the image's name (its debug record names another file).
                    Files.copy(v1, oldTree.resolve(rel).resolve("prog.pdb"));
                    Files.copy(v1.resolveSibling("v2.pdb"), newTree.resolve(rel).resolve("prog.pdb"));
                } else if (ext.endsWith("pdb")) {
                    // v1.dll.pdb: found by the name the image's debug record gives.
                    Files.copy(v1, oldTree.resolve(rel).resolve(v1.getFileName()));
                    Files.copy(v1.resolveSibling("v2." + ext), newTree.resolve(rel).resolve("v2." + ext));
                } else {
                    Files.copy(v1, oldTree.resolve(rel).resolve("prog." + ext));
                    Files.copy(v1.resolveSibling("v2." + ext), newTree.resolve(rel).resolve("prog." + ext));
                    String scenario = rel.getFileName().toString();
                    Map<String, Object> expect = Json.object(Json.parse(Files.readString(RepoPaths.root()
                            .resolve("testdata/scenarios").resolve(scenario).resolve("expect.json"))));
                    Map<String, Object> functions = Json.object(expect.get("functions"));
                    boolean nothing = ((List<?>) functions.get("changed")).isEmpty() && ((List<?>) functions.get("new")).isEmpty();
                    boolean patchable = (Boolean) expect.get("hotpatchable");
                    // A writer limit recorded as a known gap (docs/msvc-abi-gaps.md) is a refusal today.
                    boolean writerGap = KnownGaps.reason(scenario, KnownGaps.PACKAGER, rel.getParent().toString())
                            .isPresent();
                    EXPECTED.put(rel.resolve("prog." + ext).toString(),
                            !patchable || writerGap ? "refused" : nothing ? "unchanged" : "patched");
                }
            }
        }
        // A binary only the old release has, and one only the new one has.
        Path sample = bin.resolve("x64/constant_changed/v1.dll");
        Files.createDirectories(oldTree.resolve("retired"));
        Files.copy(sample, oldTree.resolve("retired/old-only.dll"));
        Files.createDirectories(newTree.resolve("plugins"));
        Files.copy(sample, newTree.resolve("plugins/new-only.dll"));
        Files.writeString(newTree.resolve("plugins/readme.txt"), "not a binary");
    }

    @Test
    void aPatchForEveryPatchableSampleAndExactlyTheUnpatchableRefused(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        CommandRun r = run("release", oldTree.toString(), newTree.toString(), "-o", out.toString(), "--jobs", "2", "--json");
        assertEquals(ExitCodes.NOT_HOTPATCHABLE, r.exit(), "some samples are unpatchable: " + r.err());
        Map<String, Object> doc = Json.object(Json.parse(Files.readString(out.resolve("release.json"))));
        assertEquals(Files.readString(out.resolve("release.json")), r.out(), "--json prints release.json");
        assertEquals(1L, ((Number) doc.get("schema_version")).longValue());
        Map<String, String> outcomes = new HashMap<>();
        for (Object o : Json.array(doc.get("binaries"))) {
            Map<String, Object> b = Json.object(o);
            String path = (String) b.get("path");
            outcomes.put(path, (String) b.get("outcome"));
            if (b.get("outcome").equals("patched")) {
                Path patch = out.resolve((String) b.get("patch"));
                assertEquals(sha256(Files.readAllBytes(patch)), b.get("patch_sha256"), path);
                CommandRun v = run("verify", patch.toString(), "--base", oldTree.resolve(path).toString(), "--trust",
                        SigningKeys.configDir().resolve("development-root.pem").toString());
                assertEquals(ExitCodes.OK, v.exit(), path + ": " + v.out());
            }
            if (b.containsKey("old_sha256")) {
                assertEquals(sha256(Files.readAllBytes(oldTree.resolve(path))), b.get("old_sha256"), path);
            }
            if (b.get("outcome").equals("refused")) {
                assertFalse(Json.array(b.get("reasons")).isEmpty(), path + " says why");
            }
        }
        Map<String, String> expected = new HashMap<>(EXPECTED);
        expected.put("retired/old-only.dll", "removed");
        expected.put("plugins/new-only.dll", "added");
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(outcomes));
        checkAgainstDocumentedSchema(doc);
        String html = Files.readString(out.resolve("release.html"));
        assertTrue(html.contains("<table id=\"binaries\">") && html.contains("class=\"refused\""), "the page lists them");
    }

    @Test
    void theOutputMayNotLieInATreeNorReplaceWithoutForce(@TempDir Path tmp) throws Exception {
        CommandRun inside = run("release", oldTree.toString(), newTree.toString(), "-o", newTree.resolve("patches").toString());
        assertEquals(ExitCodes.USAGE, inside.exit(), inside.err());
        assertFalse(Files.exists(newTree.resolve("patches")));
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        CommandRun busy = run("release", oldTree.toString(), newTree.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, busy.exit(), busy.err());
        assertTrue(busy.err().contains("--force"), busy.err());
        CommandRun notDir = run("release", oldTree.resolve("retired/old-only.dll").toString(), newTree.toString(), "-o",
                tmp.resolve("o2").toString());
        assertEquals(ExitCodes.ERROR, notDir.exit(), notDir.err());
        assertTrue(notDir.err().contains("is not a directory"), notDir.err());
    }

    @Test
    void aReleaseWithOnlyPatchableChangesExits0(@TempDir Path tmp) throws Exception {
        Path o = tmp.resolve("o");
        Path n = tmp.resolve("n");
        Files.createDirectories(o);
        Files.createDirectories(n);
        Path dir = RepoPaths.testdataBin().resolve("x64/constant_changed");
        Files.copy(dir.resolve("v1.dll"), o.resolve("lib.dll"));
        Files.copy(dir.resolve("v2.dll"), n.resolve("lib.dll"));
        Files.copy(dir.resolve("v1.exe"), o.resolve("same.exe"));
        Files.copy(dir.resolve("v1.exe"), n.resolve("same.exe"));
        CommandRun r = run("release", o.toString(), n.toString(), "-o", tmp.resolve("out").toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("release: 1 patched, 1 unchanged"), r.out());
        assertTrue(Files.exists(tmp.resolve("out/lib.dll.hpatch")));
    }

    /**
     * The keys and types docs/json.md documents for release.json: every key present is documented with its type,
     * every key without a '?' is present.
     */
    private static void checkAgainstDocumentedSchema(Map<String, Object> doc) throws Exception {
        String md = Files.readString(RepoPaths.root().resolve("docs/json.md"));
        checkObject(doc, table(md, "release"), "release.json");
        for (Object b : Json.array(doc.get("binaries"))) {
            checkObject(Json.object(b), table(md, "release.binaries"), "release.json binaries[]");
        }
    }

    /** The rows of the table after {@code <!-- schema: NAME -->}: key -> type. */
    private static Map<String, String> table(String md, String name) {
        int at = md.indexOf("<!-- schema: " + name + " -->");
        assertTrue(at >= 0, "docs/json.md documents " + name);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : md.substring(at).lines().skip(3).toList()) {
            if (!line.startsWith("| `")) {
                break;
            }
            String[] cells = line.split("\\|");
            out.put(cells[1].strip().replace("`", ""), cells[2].strip());
        }
        assertFalse(out.isEmpty(), name);
        return out;
    }

    private static void checkObject(Map<String, Object> o, Map<String, String> schema, String where) {
        for (Map.Entry<String, Object> e : o.entrySet()) {
            String type = schema.get(e.getKey());
            assertTrue(type != null, where + ": key " + e.getKey() + " is not documented in docs/json.md");
            Object v = e.getValue();
            boolean ok = switch (type.replace("?", "")) {
                case "string" -> v instanceof String;
                case "number" -> v instanceof Number;
                case "object" -> v instanceof Map;
                case "array" -> v instanceof List;
                case "boolean" -> v instanceof Boolean;
                default -> false;
            };
            assertTrue(ok, where + ": " + e.getKey() + " should be a " + type + ", is " + v);
        }
        schema.forEach((k, t) -> assertTrue(t.endsWith("?") || o.containsKey(k), where + ": missing " + k));
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
