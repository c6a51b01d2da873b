package dev.hotpatch.pe;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The function starts an image's own metadata names: .pdata primary entries, exports, COFF function symbols,
 * the entry point and TLS callbacks, merged by RVA with the set of sources that found each. (The differ adds
 * PDB symbols and recursive descent on top of this.) Stored as two primitive arrays, sorted by RVA.
 */
public final class FunctionInventory {
    private final long[] rvas;
    private final int[] sources;

    private FunctionInventory(long[] rvas, int[] sources) {
        this.rvas = rvas;
        this.sources = sources;
    }

    public static FunctionInventory of(PeImage image) {
        Collector c = new Collector();
        RuntimeFunctions table = image.runtimeFunctions();
        for (int i = 0; i < table.size(); i++) {
            RuntimeFunction f = table.get(i);
            if (!f.fragment()) {
                c.add(f.beginRva(), FunctionSource.PDATA);
            }
        }
        image.exports().ifPresent(exports -> exports.entries().stream()
                .filter(e -> !e.isForwarder() && isCode(image, e.rva()))
                .forEach(e -> c.add(e.rva(), FunctionSource.EXPORT)));
        for (CoffSymbol s : image.symbols().list()) {
            if (s.isFunction() && s.hasRva() && isCode(image, s.rva())) {
                c.add(s.rva(), FunctionSource.COFF_SYMBOL);
            }
        }
        if (image.entryPointRva() != 0 && isCode(image, image.entryPointRva())) {
            c.add(image.entryPointRva(), FunctionSource.ENTRY_POINT);
        }
        image.tls().ifPresent(tls -> tls.callbackRvas().stream().filter(rva -> isCode(image, rva))
                .forEach(rva -> c.add(rva, FunctionSource.TLS_CALLBACK)));
        return c.build();
    }

    private static boolean isCode(PeImage image, long rva) {
        return image.sectionAt(rva).map(Section::isExecutable).orElse(false);
    }

    /** Distinct function starts. */
    public int count() {
        return rvas.length;
    }

    public long rva(int i) {
        return rvas[i];
    }

    public boolean foundBy(int i, FunctionSource source) {
        return (sources[i] & 1 << source.ordinal()) != 0;
    }

    /** How many distinct starts each source found (a start found by two sources counts for both). */
    public Map<FunctionSource, Integer> countsBySource() {
        Map<FunctionSource, Integer> counts = new EnumMap<>(FunctionSource.class);
        for (FunctionSource s : FunctionSource.values()) {
            int n = 0;
            for (int mask : sources) {
                n += (mask >> s.ordinal()) & 1;
            }
            counts.put(s, n);
        }
        return counts;
    }

    /** Gathers (rva, source) pairs packed into longs, then sorts and merges them. */
    private static final class Collector {
        private long[] packed = new long[256];
        private int size;

        void add(long rva, FunctionSource source) {
            if (size == packed.length) {
                packed = Arrays.copyOf(packed, size * 2);
            }
            packed[size++] = (rva << 8) | source.ordinal();
        }

        FunctionInventory build() {
            Arrays.sort(packed, 0, size);
            long[] rvas = new long[size];
            int[] sources = new int[size];
            int n = -1;
            for (int i = 0; i < size; i++) {
                long rva = packed[i] >>> 8;
                int bit = 1 << (int) (packed[i] & 0xff);
                if (n < 0 || rvas[n] != rva) {
                    rvas[++n] = rva;
                }
                sources[n] |= bit;
            }
            return new FunctionInventory(Arrays.copyOf(rvas, n + 1), Arrays.copyOf(sources, n + 1));
        }
    }
}
