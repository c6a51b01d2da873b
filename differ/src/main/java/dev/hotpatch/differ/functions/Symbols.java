package dev.hotpatch.differ.functions;

import dev.hotpatch.pe.CoffSymbol;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The names an image's symbols give to code and data: COFF symbols (mingw keeps them) and a PDB's
 * procedures, data symbols and publics. Also the boundaries they mark (every symbol start, section symbols
 * included), which bound anonymous data.
 */
public final class Symbols {
    /** A named code address; {@code length} is -1 when the source gives none. */
    public record Proc(long rva, long length, String name, Found source) {}

    /** A named data address; {@code size} is -1 when the source gives none. */
    public record Data(long rva, long size, String name) {}

    private final List<Proc> procedures = new ArrayList<>();
    private final List<Data> data = new ArrayList<>();
    private final List<long[]> contributions = new ArrayList<>();
    private long[] boundaries = new long[0];
    private int boundaryCount;

    public List<Proc> procedures() {
        return procedures;
    }

    public List<Data> data() {
        return data;
    }

    /** Sorted distinct RVAs where some symbol starts. */
    public long[] boundaries() {
        long[] b = Arrays.copyOf(boundaries, boundaryCount);
        Arrays.sort(b);
        return Arrays.stream(b).distinct().toArray();
    }

    public void addProcedure(long rva, long length, String name, Found source) {
        procedures.add(new Proc(rva, length, name, source));
        addBoundary(rva);
    }

    public void addData(long rva, long size, String name) {
        data.add(new Data(rva, size, name));
        addBoundary(rva);
    }

    public void addBoundary(long rva) {
        if (boundaryCount == boundaries.length) {
            boundaries = Arrays.copyOf(boundaries, Math.max(64, boundaryCount * 2));
        }
        boundaries[boundaryCount++] = rva;
    }

    /**
     * The section-definition auxiliary record's Length: for a section symbol in a linked mingw image, the
     * size of one object file's contribution to that section, which bounds the object's last global exactly.
     */
    private static long auxSectionLength(PeImage image, CoffSymbol s) {
        long at = image.fileHeader().symbolTableOffset() + (s.index() + 1L) * 18;
        if (!image.fileBytes().inFile(at, 4)) {
            return -1;
        }
        return image.fileBytes().slice(at, 4).getInt(0) & 0xffffffffL;
    }

    /** One object file's contribution to a data section, [start, end), from its section symbol. */
    public List<long[]> contributions() {
        return contributions;
    }

    /** The COFF symbol table's functions, data and boundaries. */
    public static Symbols fromCoff(PeImage image) {
        Symbols out = new Symbols();
        for (CoffSymbol s : image.symbols().list()) {
            if (!s.hasRva() || s.storageClass() == CoffSymbol.FILE || s.name().isEmpty()) {
                continue;
            }
            Section section = image.sectionAt(s.rva()).orElse(null);
            if (section == null) {
                continue;
            }
            boolean sectionSymbol = s.name().startsWith(".") && s.storageClass() == CoffSymbol.STATIC
                    && s.numberOfAuxSymbols() > 0;
            if (sectionSymbol || s.isLabel() || s.name().startsWith(".")) {
                out.addBoundary(s.rva());
                if (sectionSymbol && !section.isExecutable()) {
                    long length = auxSectionLength(image, s);
                    if (length > 0 && length <= section.virtualSize()) {
                        out.contributions.add(new long[] {s.rva(), s.rva() + length});
                        out.addBoundary(s.rva() + length);
                    }
                }
            } else if (section.isExecutable()) {
                if (s.isFunction() || s.storageClass() == CoffSymbol.EXTERNAL || s.storageClass() == CoffSymbol.STATIC) {
                    out.addProcedure(s.rva(), -1, s.name(), Found.COFF_SYMBOL);
                } else {
                    out.addBoundary(s.rva());
                }
            } else if (s.storageClass() == CoffSymbol.EXTERNAL || s.storageClass() == CoffSymbol.STATIC) {
                out.addData(s.rva(), -1, s.name());
            } else {
                out.addBoundary(s.rva());
            }
        }
        return out;
    }
}
