package dev.hotpatch.differ.resolve;

import dev.hotpatch.differ.Differ;
import dev.hotpatch.differ.ImageAnalysis;
import dev.hotpatch.pe.ImportedFunction;
import dev.hotpatch.pe.ImportedModule;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resolver names every import {@code dll!name} once, and finds the IAT slot of each bound import by that name. */
class ResolverImportsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"x64/new_import/v2.dll", "x86/new_global/v2.exe", "arm64/new_import/v2.dll"})
    void importNamesAndSlots(String file) throws Exception {
        Path path = RepoPaths.testdataBin().resolve(file);
        ImageAnalysis x = Differ.analyse(path, Optional.empty());
        Set<String> names = new HashSet<>();
        for (ImportedModule m : x.code().image().imports()) {
            for (ImportedFunction f : m.functions()) {
                String key = Resolver.importKey(m, f);
                assertTrue(key.startsWith(m.dllName().toLowerCase(java.util.Locale.ROOT) + "!"), key);
                assertEquals(f.iatRva(), x.resolver().iatRvaOf(key), key);
                names.add(key);
            }
        }
        for (ImportedModule m : x.code().image().delayImports()) {
            for (ImportedFunction f : m.functions()) {
                String key = Resolver.importKey(m, f);
                if (!names.contains(key)) {
                    assertEquals(-1, x.resolver().iatRvaOf(key), key + " is delay-loaded");
                }
                names.add(key);
            }
        }
        assertTrue(!names.isEmpty(), "no imports in " + file);
        assertEquals(names, new HashSet<>(x.resolver().importNames().values()));
        assertEquals(-1, x.resolver().iatRvaOf("nosuch.dll!nothing"));
    }
}
