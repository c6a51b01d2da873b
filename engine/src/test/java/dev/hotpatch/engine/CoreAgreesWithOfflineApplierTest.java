package dev.hotpatch.engine;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.packager.apply.OfflineApplier;
import dev.hotpatch.packager.format.CanonicalBaseHash;
import dev.hotpatch.packager.format.FixupRecord;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.packager.write.Packager;
import dev.hotpatch.packager.write.PatchWriter;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.Json;
import dev.hotpatch.testsupport.KnownGaps;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's C core computes the same bytes as the Java offline applier, the reference implementation of
 * docs/format.md, for every testdata scenario that can be patched, on x86, x64 and ARM64: the patch's code and
 * data after its own relocations and every fixup, every fixup's written bytes, every trampoline (and, on Linux,
 * the base's canonical SHA-256). The core runs twice: built for Linux with the sanitizers (host/hp_offline), and
 * as the engine's cross compilers build it for the scenario's machine (hpcore.dll), run in unicorn
 * (host/emulate_core.py). It maps the patch where the offline applier puts it (right after the base's last
 * section, at BaseLoad + delta), so the two must agree byte for byte.
 */
class CoreAgreesWithOfflineApplierTest {

    static Stream<Arguments> scenarios() throws Exception {
        List<Arguments> out = new ArrayList<>();
        Path dir = RepoPaths.root().resolve("testdata/scenarios");
        try (Stream<Path> all = Files.list(dir)) {
            for (Path s : all.sorted().toList()) {
                Map<String, Object> e = Json.object(Json.parse(Files.readString(s.resolve("expect.json"))));
                Map<String, Object> functions = Json.object(e.get("functions"));
                if (!Boolean.TRUE.equals(e.get("hotpatchable"))
                        || Json.array(functions.get("changed")).size() + Json.array(functions.get("new")).size() == 0) {
                    continue;
                }
                Map<String, Object> archs = Json.object(e.get("architectures"));
                for (String arch : List.of("x86", "x64", "arm64")) {
                    Object kinds = archs.get(arch);
                    for (String kind : List.of("dll", "exe")) {
                        if (kinds != null && Json.array(kinds).contains(kind)) {
                            for (String build : List.of("linux", "emulated")) {
                                out.add(Arguments.of(s.getFileName().toString(), arch, kind, build));
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("scenarios")
    void sameBytesAsOfflineApply(String scenario, String arch, String kind, String build, @TempDir Path tmp)
            throws Exception {
        KnownGaps.skipIfKnown(scenario, KnownGaps.PACKAGER, arch);   // a writer limit: no patch to compare
        Path dir = RepoPaths.testdataBin().resolve(arch).resolve(scenario);
        Path v1 = dir.resolve("v1." + kind);
        Path patchFile = tmp.resolve("patch.hpi");
        Path patched = tmp.resolve("patched." + kind);
        Path mapped = tmp.resolve("mapped.bin");
        assertTrue(Packager.create(v1, dir.resolve("v2." + kind), patchFile, Differ.Options.defaults(),
                PatchWriter.Options.first()).patchBytes().isPresent(), "no patch was made");
        OfflineApplier.apply(v1, patchFile, patched);

        PeImage base = PeReader.read(Files.readAllBytes(v1), "v1");
        PeImage patch = PeReader.read(Files.readAllBytes(patchFile), "patch");
        PeImage result = PeReader.read(Files.readAllBytes(patched), "patched");
        HotPatchTables tables = PatchImageTables.read(patch).orElseThrow();
        long end = alignUp(base.optionalHeader().sizeOfImage(), base.optionalHeader().sectionAlignment());
        long delta = end - patch.sections().get(0).rva();
        long baseLoad = base.imageBase();
        long patchLoad = baseLoad + delta;

        List<String> files = List.of(v1.toString(), patchFile.toString(), mapped.toString(),
                Long.toHexString(baseLoad), Long.toHexString(patchLoad));
        List<String> command = new ArrayList<>();
        if (build.equals("linux")) {
            command.add(HostCore.build().resolve("hp_offline").toString());
        } else {
            command.addAll(List.of(ExternalTools.requirePythonModule("unicorn", "python3-unicorn").toString(),
                    RepoPaths.root().resolve("engine/host/emulate_core.py").toString(),
                    HostCore.buildEmulated().resolve(arch).resolve("hpcore.dll").toString()));
        }
        command.addAll(files);
        HostCore.Result r = HostCore.run(command);
        assertEquals(0, r.exit(), () -> build + " core refused: " + r.stderr() + r.stdout());
        byte[] mem = Files.readAllBytes(mapped);

        if (build.equals("linux")) {
            assertTrue(r.stdout().contains("canonical_sha256 "
                    + HexFormat.of().formatHex(CanonicalBaseHash.sha256(base))), () -> "canonical SHA-256 differs: "
                    + r.stdout());
        }

        int compared = 0;
        for (Section s : patch.sections()) {
            if (s.name().equals(".text") || s.name().equals(".data")) {
                int n = (int) s.virtualSize();
                assertArrayEquals(result.readVirtual(s.rva() + delta, n),
                        Arrays.copyOfRange(mem, (int) s.rva(), (int) s.rva() + n), s.name() + " differs");
                compared++;
            }
        }
        assertTrue(compared > 0, "the patch has neither .text nor .data");
        for (FixupRecord x : tables.fixupTable()) {
            int width = x.kind().isAdrpPair() ? x.pairOffset() + 4 : x.kind().siteWidth(patch.machine().code());
            assertArrayEquals(result.readVirtual(x.siteRva() + delta, width),
                    Arrays.copyOfRange(mem, (int) x.siteRva(), (int) x.siteRva() + width), "fixup " + x);
        }
        List<String> lines = r.stdout().lines().filter(l -> l.startsWith("trampoline ")).toList();
        List<String> expected = new ArrayList<>();
        for (FunctionRecord f : tables.functions()) {
            if (f.redirect()) {
                byte[] bytes = result.readVirtual(f.siteRva(), f.originalBytes().length);
                expected.add("trampoline " + Long.toHexString(f.siteRva()) + " " + HexFormat.of().formatHex(bytes));
            }
        }
        assertEquals(expected, lines);
    }

    @Test
    void refusesAPatchForAnotherBase(@TempDir Path tmp) throws Exception {
        Path host = HostCore.build();
        Path a = RepoPaths.testdataBin().resolve("x64/constant_changed");
        Path b = RepoPaths.testdataBin().resolve("x64/new_helper");
        Path patch = tmp.resolve("patch.hpi");
        Packager.create(a.resolve("v1.dll"), a.resolve("v2.dll"), patch, Differ.Options.defaults(),
                PatchWriter.Options.first());
        HostCore.Result r = HostCore.run(List.of(host.resolve("hp_offline").toString(),
                b.resolve("v1.dll").toString(), patch.toString(), tmp.resolve("m").toString()));
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("the patch is for another build of"), r.stderr());
        assertTrue(!Files.exists(tmp.resolve("m")));
    }

    @Test
    void refusesTamperedTablesNamingTheRule(@TempDir Path tmp) throws Exception {
        Path host = HostCore.build();
        Path a = RepoPaths.testdataBin().resolve("x64/constant_changed");
        Path patch = tmp.resolve("patch.hpi");
        Packager.create(a.resolve("v1.dll"), a.resolve("v2.dll"), patch, Differ.Options.defaults(),
                PatchWriter.Options.first());
        PeImage image = PeReader.read(Files.readAllBytes(patch), "patch");
        long tablesRva = image.loadConfig().orElseThrow().hotPatchTableOffset().getAsLong();
        byte[] bytes = Files.readAllBytes(patch);
        int at = (int) image.fileOffset(tablesRva, 64);
        bytes[at + 0x34] = 1;                                  // HPATCH_HEADER.Reserved
        Path tampered = tmp.resolve("tampered.hpi");
        Files.write(tampered, bytes);
        HostCore.Result r = HostCore.run(List.of(host.resolve("hp_offline").toString(),
                a.resolve("v1.dll").toString(), tampered.toString(), tmp.resolve("m").toString()));
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("hpatch_header.reserved at 0x34"), r.stderr());
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
