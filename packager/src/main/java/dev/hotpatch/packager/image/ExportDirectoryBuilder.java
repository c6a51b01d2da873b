package dev.hotpatch.packager.image;

import dev.hotpatch.pe.DirectoryKind;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds an export directory that exports functions by name: the 40-byte directory table, the export address
 * table, the name pointer table, the ordinal table, the DLL name and the function names, in one block. Names are
 * sorted (the loader binary-searches the name pointer table), and ordinals follow that order from 1.
 */
public final class ExportDirectoryBuilder {
    private static final int DIRECTORY_SIZE = 40;

    private final String dllName;
    private final TreeMap<String, Long> exports = new TreeMap<>();

    public ExportDirectoryBuilder(String dllName) {
        this.dllName = AsciiNames.check("exporting DLL name", dllName);
    }

    /** Exports the code or data at {@code rva} as {@code name}. */
    public ExportDirectoryBuilder export(String name, long rva) {
        AsciiNames.check("export name", name);
        if (rva <= 0 || rva > PeImageBuilder.MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(String.format("export %s at RVA 0x%x is outside any image", name,
                    rva));
        }
        Long before = exports.putIfAbsent(name, rva);
        if (before != null && before != rva) {
            throw new IllegalArgumentException(String.format("export %s is already at RVA 0x%x, not 0x%x", name,
                    before, rva));
        }
        return this;
    }

    /** The alignment the block's RVA needs. */
    public int alignment() {
        return 4;
    }

    /** Bytes of the whole block. */
    public int size() {
        int n = exports.size();
        int size = DIRECTORY_SIZE + 4 * n + 4 * n + 2 * n + dllName.length() + 1;
        for (String name : exports.keySet()) {
            size += name.length() + 1;
        }
        return size;
    }

    /** Writes the block at {@code rva} (inside a reserved section) and sets the EXPORT data directory. */
    public void writeTo(PeImageBuilder image, long rva) {
        if (exports.isEmpty()) {
            throw new IllegalArgumentException(dllName + " exports nothing; leave the export directory out instead");
        }
        if (rva % alignment() != 0) {
            throw new IllegalArgumentException(String.format(
                    "the export directory's RVA 0x%x is not aligned to %d bytes", rva, alignment()));
        }
        int n = exports.size();
        int size = size();
        int addressTable = DIRECTORY_SIZE;
        int namePointers = addressTable + 4 * n;
        int ordinals = namePointers + 4 * n;
        int dllNameAt = ordinals + 2 * n;
        int names = dllNameAt + dllName.length() + 1;

        ByteBuffer buf = LittleEndian.allocate(size);
        buf.putInt(0, 0);                                  // Characteristics
        buf.putInt(4, 0);                                  // TimeDateStamp: none, for reproducible output
        buf.putShort(8, (short) 0);                        // MajorVersion
        buf.putShort(10, (short) 0);                       // MinorVersion
        buf.putInt(12, (int) (rva + dllNameAt));           // Name
        buf.putInt(16, 1);                                 // Base: the first ordinal
        buf.putInt(20, n);                                 // NumberOfFunctions
        buf.putInt(24, n);                                 // NumberOfNames
        buf.putInt(28, (int) (rva + addressTable));        // AddressOfFunctions
        buf.putInt(32, (int) (rva + namePointers));        // AddressOfNames
        buf.putInt(36, (int) (rva + ordinals));            // AddressOfNameOrdinals
        buf.put(dllNameAt, AsciiNames.terminated(dllName));
        int i = 0;
        for (Map.Entry<String, Long> e : exports.entrySet()) {
            long target = e.getValue();
            if (target >= rva && target < rva + size) {
                throw new IllegalArgumentException(String.format("export %s at RVA 0x%x points into the export"
                        + " directory itself, which would make it a forwarder", e.getKey(), target));
            }
            buf.putInt(addressTable + 4 * i, (int) target);
            buf.putInt(namePointers + 4 * i, (int) (rva + names));
            buf.putShort(ordinals + 2 * i, (short) i);     // index into the address table (ordinal - Base)
            buf.put(names, AsciiNames.terminated(e.getKey()));
            names += e.getKey().length() + 1;
            i++;
        }
        image.write(rva, buf.array());
        image.directory(DirectoryKind.EXPORT, rva, size);
    }
}
