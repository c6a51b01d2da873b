package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.ImportDescriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;

/**
 * Reads the import directory: descriptors up to the null descriptor (at most
 * {@link Limits#MAX_IMPORT_MODULES}), and for each DLL its imports by name or ordinal with their IAT slots.
 */
final class ImportReader {
    private static final int DESCRIPTOR_SIZE = 20;   // IMAGE_IMPORT_DESCRIPTOR

    private final PeReader.Parts parts;
    private final NameReader names;
    private final ThunkReader thunks;
    private final StepInput warnings;

    ImportReader(PeReader.Parts parts) {
        this.parts = parts;
        this.warnings = new StepInput(parts);
        this.names = new NameReader(parts, "import directory");
        this.thunks = new ThunkReader(parts, names, "import directory");
    }

    List<ImportedModule> read() throws PeFormatException {
        Optional<DataDirectory> found = DirectoryEntries.find(parts, DirectoryKind.IMPORT);
        if (found.isEmpty()) {
            return List.of();
        }
        List<ImportedModule> modules = new ArrayList<>();
        for (int i = 0; ; i++) {
            String structure = "import_descriptor[" + i + "]";
            long rva = found.get().address() + (long) i * DESCRIPTOR_SIZE;
            long offset = parts.addressMap.fileOffset(rva, DESCRIPTOR_SIZE);
            if (offset < 0) {
                if (i > 0 && zeroFilled(rva)) {
                    break;   // the loader reads the null descriptor from the section's zero-filled tail
                }
                if (i == 0) {
                    parts.addressMap.requireFileOffset(rva, DESCRIPTOR_SIZE,
                            DirectoryEntries.structure(DirectoryKind.IMPORT), "rva",
                            () -> DirectoryEntries.fieldOffset(parts, DirectoryKind.IMPORT, "rva"));
                }
                parts.addressMap.requireFileOffset(rva, DESCRIPTOR_SIZE, structure, "extent", -1);
            }
            ImportDescriptor d = KaitaiParse.parse(parts.bytes, structure, offset, DESCRIPTOR_SIZE,
                    ImportDescriptor::new);
            if (isNull(d)) {
                break;
            }
            if (i >= Limits.MAX_IMPORT_MODULES) {
                throw new PeFormatException(structure, "extent", offset, "the null descriptor after at most "
                        + Limits.MAX_IMPORT_MODULES + " descriptors (Limits.MAX_IMPORT_MODULES)", "another descriptor");
            }
            if (d.rvaName() == 0 || d.rvaImportAddressTable() == 0) {
                parts.warnings.add(structure + " has no " + (d.rvaName() == 0 ? "name" : "import address table")
                        + "; the loader stops reading imports there, and so do we");
                break;
            }
            ImportedModule module = module(d, structure, offset);
            if (module != null) {
                modules.add(module);
            }
        }
        return List.copyOf(modules);
    }

    /** The DLL a descriptor imports from, or null when it imports nothing and its name cannot be read. */
    private ImportedModule module(ImportDescriptor d, String structure, long offset) throws PeFormatException {
        long lookup = d.rvaImportLookupTable();
        long iat = d.rvaImportAddressTable();
        if (lookup != 0 && !mapped(lookup)) {
            // The loader checks OriginalFirstThunk and falls back to the IAT when it is not in the image.
            warnings.warnRepeated("import lookup table outside the image", structure + ".rva_import_lookup_table "
                    + KaitaiParse.hex(lookup) + " is outside the image; the names are read from the import address "
                    + "table, as the loader does");
            lookup = 0;
        }
        // Old linkers (Borland) leave OriginalFirstThunk 0 and keep the names only in the IAT.
        String tableField = lookup != 0 ? "rva_import_lookup_table" : "rva_import_address_table";
        ThunkReader.Source source = new ThunkReader.Source(structure, tableField,
                fieldOffset(d, tableField, offset), fieldOffset(d, "rva_import_address_table", offset));
        List<ImportedFunction> functions = thunks.read(lookup != 0 ? lookup : iat, 0, iat, source);
        String dllName;
        try {
            dllName = names.atRva(d.rvaName(), structure, "rva_name", fieldOffset(d, "rva_name", offset));
        } catch (PeFormatException e) {
            if (!functions.isEmpty()) {
                throw e;
            }
            warnings.warnRepeated("empty import descriptor without a name", structure + " imports nothing and its "
                    + "DLL name cannot be read (" + e.getMessage() + "); the loader skips such a descriptor, and so "
                    + "do we");
            return null;
        }
        return new ImportedModule(dllName, lookup, iat, false, functions);
    }

    /** True when the RVA is inside a section's extent or the file-backed headers. */
    private boolean mapped(long rva) {
        return parts.addressMap.sectionAt(rva) != null || parts.addressMap.fileOffset(rva, 1) >= 0;
    }

    private boolean zeroFilled(long rva) {
        Section s = parts.addressMap.sectionAt(rva);
        return s != null && s.contains(rva + DESCRIPTOR_SIZE - 1);
    }

    private static boolean isNull(ImportDescriptor d) {
        return d.rvaImportLookupTable() == 0 && d.timeDateStamp() == 0 && d.forwarderChain() == 0
                && d.rvaName() == 0 && d.rvaImportAddressTable() == 0;
    }
}
