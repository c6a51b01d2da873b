package dev.hotpatch.packager.image;

import dev.hotpatch.pe.DirectoryKind;
import dev.hotpatch.pe.Machine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds an import directory that imports functions by name: the import address table, the descriptor table,
 * the import lookup tables, the hint/name table and the DLL names, in that order, in one block that the caller
 * places in a section of its choice. DLLs are ordered by lower-case name and functions by name, so the bytes do
 * not depend on the order of the calls. Hints are 0 (the loader then searches the exporter's names).
 *
 * <p>Use: {@link #size()} to plan the block, then {@link #writeTo} at an RVA aligned to {@link #alignment()}.
 */
public final class ImportDirectoryBuilder {
    private static final int DESCRIPTOR_SIZE = 20;

    private final boolean pe32Plus;
    /** Lower-case DLL name to the DLL's name as first given and its functions. */
    private final TreeMap<String, Dll> dlls = new TreeMap<>();

    private record Dll(String name, TreeSet<String> functions) {}

    public ImportDirectoryBuilder(Machine machine) {
        this.pe32Plus = PeImageBuilder.isPe32Plus(machine);
    }

    /** Imports {@code functions} by name from {@code dll}; repeated DLLs (in any case) and functions merge. */
    public ImportDirectoryBuilder add(String dll, String... functions) {
        return add(dll, List.of(functions));
    }

    public ImportDirectoryBuilder add(String dll, Collection<String> functions) {
        AsciiNames.check("DLL name", dll);
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("an import from " + dll + " names no function");
        }
        Dll entry = dlls.computeIfAbsent(dll.toLowerCase(Locale.ROOT), k -> new Dll(dll, new TreeSet<>()));
        for (String f : functions) {
            entry.functions.add(AsciiNames.check("function name imported from " + dll, f));
        }
        return this;
    }

    public boolean isEmpty() {
        return dlls.isEmpty();
    }

    /** The alignment the block's RVA needs: the size of a thunk. */
    public int alignment() {
        return pe32Plus ? 8 : 4;
    }

    /** Bytes of the whole block. */
    public int size() {
        return layout().end;
    }

    /** Offsets of the parts of the block, from its start. */
    private static final class Parts {
        int iat;
        int descriptors;
        int lookup;
        int hintNames;
        int dllNames;
        int end;
    }

    private Parts layout() {
        int thunk = alignment();
        int thunks = 0;
        int hintNameBytes = 0;
        int dllNameBytes = 0;
        for (Dll d : dlls.values()) {
            thunks += d.functions.size() + 1;
            for (String f : d.functions) {
                hintNameBytes += hintNameSize(f);
            }
            dllNameBytes += d.name.length() + 1;
        }
        Parts p = new Parts();
        p.iat = 0;
        p.descriptors = thunks * thunk;
        p.lookup = (int) LittleEndian.alignUp(p.descriptors + (long) (dlls.size() + 1) * DESCRIPTOR_SIZE, thunk);
        p.hintNames = p.lookup + thunks * thunk;
        p.dllNames = p.hintNames + hintNameBytes;
        p.end = p.dllNames + dllNameBytes;
        return p;
    }

    /** Hint (2 bytes), name, NUL, and a pad byte to keep the next entry 2-byte aligned. */
    private static int hintNameSize(String function) {
        int size = 2 + function.length() + 1;
        return size + (size & 1);
    }

    /**
     * Writes the block at {@code rva} (inside a reserved section), sets the IMPORT and IAT data directories, and
     * returns where every function's IAT slot is.
     */
    public ImportDirectory writeTo(PeImageBuilder image, long rva) {
        if (dlls.isEmpty()) {
            throw new IllegalArgumentException("the import directory imports nothing; leave it out instead");
        }
        if (image.pe32Plus() != pe32Plus) {
            throw new IllegalArgumentException("this import directory was planned for a "
                    + (pe32Plus ? "PE32+" : "PE32") + " image, not a " + image.machine() + " one");
        }
        if (rva % alignment() != 0) {
            throw new IllegalArgumentException(String.format(
                    "the import directory's RVA 0x%x is not aligned to %d bytes", rva, alignment()));
        }
        Parts p = layout();
        ByteBuffer buf = LittleEndian.allocate(p.end);
        List<ImportDirectory.Slot> slots = new ArrayList<>();
        int thunkIndex = 0;
        int descriptor = p.descriptors;
        int hintName = p.hintNames;
        int dllName = p.dllNames;
        for (Dll d : dlls.values()) {
            int firstThunk = thunkIndex * alignment();
            buf.putInt(descriptor, (int) (rva + p.lookup + firstThunk));        // OriginalFirstThunk (ILT)
            buf.putInt(descriptor + 4, 0);                                       // TimeDateStamp: not bound
            buf.putInt(descriptor + 8, 0);                                       // ForwarderChain
            buf.putInt(descriptor + 12, (int) (rva + dllName));                  // Name
            buf.putInt(descriptor + 16, (int) (rva + p.iat + firstThunk));      // FirstThunk (IAT)
            descriptor += DESCRIPTOR_SIZE;
            buf.put(dllName, AsciiNames.terminated(d.name));
            dllName += d.name.length() + 1;
            for (String f : d.functions) {
                int slot = thunkIndex * alignment();
                long hintNameRva = rva + hintName;
                // The IAT holds the same hint/name RVAs as the lookup table until the loader binds it.
                LittleEndian.putPointer(buf, p.iat + slot, hintNameRva, pe32Plus);
                LittleEndian.putPointer(buf, p.lookup + slot, hintNameRva, pe32Plus);
                buf.putShort(hintName, (short) 0);                               // Hint
                buf.put(hintName + 2, AsciiNames.terminated(f));                 // Name
                hintName += hintNameSize(f);
                slots.add(new ImportDirectory.Slot(d.name, f, rva + p.iat + slot));
                thunkIndex++;
            }
            thunkIndex++;   // the zero thunk that ends this DLL's tables
        }
        image.write(rva, buf.array());
        long descriptorSize = (long) (dlls.size() + 1) * DESCRIPTOR_SIZE;
        image.directory(DirectoryKind.IMPORT, rva + p.descriptors, descriptorSize);
        image.directory(DirectoryKind.IAT, rva + p.iat, p.descriptors - p.iat);
        return new ImportDirectory(rva + p.descriptors, descriptorSize, rva + p.iat, p.descriptors - p.iat, slots);
    }
}
