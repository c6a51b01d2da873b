package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.DelayImportDescriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;

/**
 * Reads the delay-load import directory into the same model as imports, with {@code delayLoad} set. In the old
 * VA-based form (attributes bit 0 clear) the image base is subtracted from the addresses, with a warning.
 */
final class DelayImportReader {
    private static final int DESCRIPTOR_SIZE = 32;   // IMAGE_DELAYLOAD_DESCRIPTOR

    private final PeReader.Parts parts;
    private final NameReader names;
    private final ThunkReader thunks;
    private final StepInput warnings;
    private int vaBased;

    DelayImportReader(PeReader.Parts parts) {
        this.parts = parts;
        this.warnings = new StepInput(parts);
        this.names = new NameReader(parts, "delay-load import directory");
        this.thunks = new ThunkReader(parts, names, "delay-load import directory");
    }

    List<ImportedModule> read() throws PeFormatException {
        Optional<DataDirectory> found = DirectoryEntries.find(parts, DirectoryKind.DELAY_IMPORT);
        if (found.isEmpty()) {
            return List.of();
        }
        List<ImportedModule> modules = new ArrayList<>();
        for (int i = 0; ; i++) {
            String structure = "delay_import_descriptor[" + i + "]";
            long rva = found.get().address() + (long) i * DESCRIPTOR_SIZE;
            long offset = parts.addressMap.fileOffset(rva, DESCRIPTOR_SIZE);
            if (offset < 0) {
                Section s = parts.addressMap.sectionAt(rva);
                if (i > 0 && s != null && s.contains(rva + DESCRIPTOR_SIZE - 1)) {
                    break;   // the null descriptor, in the section's zero-filled tail
                }
                if (i == 0) {
                    parts.addressMap.requireFileOffset(rva, DESCRIPTOR_SIZE,
                            DirectoryEntries.structure(DirectoryKind.DELAY_IMPORT), "rva",
                            () -> DirectoryEntries.fieldOffset(parts, DirectoryKind.DELAY_IMPORT, "rva"));
                }
                parts.addressMap.requireFileOffset(rva, DESCRIPTOR_SIZE, structure, "extent", -1);
            }
            DelayImportDescriptor d = KaitaiParse.parse(parts.bytes, structure, offset, DESCRIPTOR_SIZE,
                    DelayImportDescriptor::new);
            if (isNull(d)) {
                break;
            }
            if (i >= Limits.MAX_IMPORT_MODULES) {
                throw new PeFormatException(structure, "extent", offset, "the null descriptor after at most "
                        + Limits.MAX_IMPORT_MODULES + " descriptors (Limits.MAX_IMPORT_MODULES)", "another descriptor");
            }
            if (d.rvaName() == 0) {
                parts.warnings.add(structure + " has no DLL name; the delay-load helper cannot load it, so reading "
                        + "stops there");
                break;
            }
            modules.add(module(d, structure, offset));
        }
        if (vaBased > 0) {
            parts.warnings.add(vaBased + " delay-load descriptor(s) use the old VA-based form (attributes bit 0 "
                    + "clear); their addresses at or above the image base were read as VAs");
        }
        return List.copyOf(modules);
    }

    private ImportedModule module(DelayImportDescriptor d, String structure, long offset) throws PeFormatException {
        long bias = 0;
        if (!d.isRvaBased()) {
            bias = parts.headers.optionalHeader().imageBase();
            vaBased++;
        }
        String dllName = names.atRva(rva(d.rvaName(), bias), structure, "rva_name",
                fieldOffset(d, "rva_name", offset));
        long iat = rva(d.rvaImportAddressTable(), bias);
        long nameTable = rva(d.rvaImportNameTable(), bias);
        if (nameTable == 0) {
            warnings.warnRepeated("delay-load descriptor without a name table", structure + " (" + dllName
                    + ") has no import name table, so its imports are unknown");
            return new ImportedModule(dllName, 0, iat, true, List.of());
        }
        ThunkReader.Source source = new ThunkReader.Source(structure, "rva_import_name_table",
                fieldOffset(d, "rva_import_name_table", offset),
                fieldOffset(d, "rva_import_address_table", offset));
        return new ImportedModule(dllName, nameTable, iat, true, thunks.read(nameTable, bias, iat, source));
    }

    /**
     * An address field as an RVA. In the VA-based form ({@code bias} is the image base) a value at or above the
     * image base is a VA; hand-made files mix in RVAs, which the delay-load helper would reject, but which name
     * the intended place, so they are kept as written.
     */
    static long rva(long value, long bias) {
        return bias != 0 && value >= bias ? value - bias : value;
    }

    private static boolean isNull(DelayImportDescriptor d) {
        return d.attributes() == 0 && d.rvaName() == 0 && d.rvaModuleHandle() == 0 && d.rvaImportAddressTable() == 0
                && d.rvaImportNameTable() == 0 && d.rvaBoundImportAddressTable() == 0
                && d.rvaUnloadInformationTable() == 0 && d.timeDateStamp() == 0;
    }
}
