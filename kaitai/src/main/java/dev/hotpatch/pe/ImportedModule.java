package dev.hotpatch.pe;

import java.util.List;

/**
 * The imports from one DLL, from the import directory or the delay-load import directory.
 *
 * @param dllName            the DLL's name as written
 * @param originalFirstThunk RVA of the table that names the imports (import lookup table, or the delay-load
 *                           import name table); 0 when the image keeps the names only in the IAT
 * @param firstThunk         RVA of the import address table
 * @param delayLoad          true for a delay-load import
 * @param functions          the imports in IAT order
 */
public record ImportedModule(String dllName, long originalFirstThunk, long firstThunk, boolean delayLoad,
                             List<ImportedFunction> functions) {

    public ImportedModule {
        functions = List.copyOf(functions);
    }
}
