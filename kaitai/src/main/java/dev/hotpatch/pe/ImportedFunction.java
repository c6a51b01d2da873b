package dev.hotpatch.pe;

import java.util.Optional;

/**
 * One function imported from a DLL, by name or by ordinal.
 *
 * @param name    the name, or empty when imported by ordinal
 * @param hint    the hint (index into the exporter's name pointer table) for a name import, else -1
 * @param ordinal the ordinal for an ordinal import, else -1
 * @param iatRva  RVA of the import address table slot the loader fills with the function's address
 */
public record ImportedFunction(Optional<String> name, int hint, int ordinal, long iatRva) {

    public static ImportedFunction byName(String name, int hint, long iatRva) {
        return new ImportedFunction(Optional.of(name), hint, -1, iatRva);
    }

    public static ImportedFunction byOrdinal(int ordinal, long iatRva) {
        return new ImportedFunction(Optional.empty(), -1, ordinal, iatRva);
    }

    public boolean isByOrdinal() {
        return name.isEmpty();
    }
}
