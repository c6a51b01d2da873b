package dev.hotpatch.pe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

import static dev.hotpatch.pe.KaitaiParse.fieldOffset;
import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Reads the TLS directory (32- or 64-bit) and its zero-terminated callback array (at most
 * {@link Limits#MAX_TLS_CALLBACKS}), converting VAs to RVAs with the header's image base.
 */
final class TlsReader {
    /**
     * Whether a VA may be the image's end (ImageBase + SizeOfImage). va_raw_data_end is an end address; the
     * reader has always allowed the end for every TLS address, the callbacks included.
     */
    private static final boolean END_ALLOWED = true;

    private final PeReader.Parts parts;
    private final StepInput in;
    private final boolean pe32Plus;
    private final int pointerSize;

    TlsReader(PeReader.Parts parts) {
        this.parts = parts;
        this.in = new StepInput(parts);
        this.pe32Plus = parts.headers.optionalHeader().pe32Plus();
        this.pointerSize = pe32Plus ? 8 : 4;
    }

    Optional<TlsDirectory> read() throws PeFormatException {
        Optional<DataDirectory> found = DirectoryEntries.find(parts, DirectoryKind.TLS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        int size = pe32Plus ? 40 : 24;   // IMAGE_TLS_DIRECTORY64 / IMAGE_TLS_DIRECTORY32
        long offset = parts.addressMap.requireFileOffset(found.get().address(), size,
                DirectoryEntries.structure(DirectoryKind.TLS), "rva",
                () -> DirectoryEntries.fieldOffset(parts, DirectoryKind.TLS, "rva"));
        dev.hotpatch.kaitai.layout.TlsDirectory t = KaitaiParse.parse(parts.bytes, "tls_directory", offset, size,
                io -> new dev.hotpatch.kaitai.layout.TlsDirectory(io, pe32Plus));
        long start = rva(t.vaRawDataStart(), "va_raw_data_start", () -> fieldOffset(t, "va_raw_data_start", offset));
        long end = rva(t.vaRawDataEnd(), "va_raw_data_end", () -> fieldOffset(t, "va_raw_data_end", offset));
        if (end < start) {
            throw new PeFormatException("tls_directory", "va_raw_data_end", fieldOffset(t, "va_raw_data_end", offset),
                    "at least va_raw_data_start (" + hex(t.vaRawDataStart()) + ")", hex(t.vaRawDataEnd()));
        }
        long index = rva(t.vaIndex(), "va_index", () -> fieldOffset(t, "va_index", offset));
        long callbacksOffset = fieldOffset(t, "va_callbacks", offset);
        long callbacks = rva(t.vaCallbacks(), "va_callbacks", () -> callbacksOffset);
        List<Long> callbackRvas = callbacks == 0 ? List.of() : callbacks(callbacks, callbacksOffset);
        return Optional.of(new TlsDirectory(start, end, index, callbacks, t.lenZeroFill(), t.characteristics(),
                callbackRvas));
    }

    private List<Long> callbacks(long arrayRva, long fieldOffset) throws PeFormatException {
        List<Long> out = new ArrayList<>();
        int[] outside = new int[1];
        long[] firstOutside = new long[1];
        ZeroTerminatedTable.read(parts, arrayRva, pointerSize, Limits.MAX_TLS_CALLBACKS, "MAX_TLS_CALLBACKS",
                "tls_directory", "va_callbacks", fieldOffset,
                (io, n) -> new dev.hotpatch.kaitai.layout.TlsDirectory.CallbackRun(io, n, pe32Plus).vaCallbacks(),
                va -> va == 0,
                (va, i, entryOffset) -> {
                    if (in.vaInImage(va, END_ALLOWED)) {
                        out.add(va - in.imageBase());
                    } else if (outside[0]++ == 0) {
                        firstOutside[0] = va;
                    }
                });
        if (outside[0] > 0) {
            in.warn(outside[0] + " TLS callback(s) point outside the image (the first at VA "
                    + hex(firstOutside[0]) + ", such as into another DLL) and are left out of the callback list");
        }
        return out;
    }

    /** An address field's RVA: 0 stays 0; any other VA must lie inside the image (or at its end). */
    private long rva(long va, String field, LongSupplier fieldOffset) throws PeFormatException {
        return va == 0 ? 0 : in.rvaOfVa(va, END_ALLOWED, "tls_directory", field, fieldOffset);
    }
}
