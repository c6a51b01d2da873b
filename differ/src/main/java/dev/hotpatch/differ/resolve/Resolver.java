package dev.hotpatch.differ.resolve;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.code.Step;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionDiscovery;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.functions.Symbols;
import dev.hotpatch.differ.msvc.ThrowInfos;
import dev.hotpatch.differ.normalise.Hasher;
import dev.hotpatch.differ.normalise.RefTable;
import dev.hotpatch.pe.ImportedFunction;
import dev.hotpatch.pe.ImportedModule;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Says what each reference of each function refers to, in terms that do not depend on addresses: another
 * function (by index, compared through the matching), an import by DLL!name, a global (named by its symbol,
 * or anonymous and matched through the code using it), a jump table by its case targets inside the
 * function, read-only data by its contents, with the pointers inside that data (found through the
 * base-relocation table) resolved the same way one level deep.
 */
public final class Resolver {
    private static final int LITERAL_CAP = 4096;
    private static final int ANONYMOUS_CAP = 64;
    private static final int TABLE_CAP = 4096;

    private final ImageCode code;
    private final FunctionTable functions;
    private final RefTable refs;
    private final Tokens tokens = new Tokens();
    private final Map<Long, String> importByHash = new HashMap<>();
    private final Map<String, Long> iatByName = new HashMap<>();
    private final long[] boundaries;
    private long importDirectory = -1;
    private final List<Global> globals = new ArrayList<>();
    /** Starts of the named globals, which are the first of {@link #globals} in the same order. */
    private final long[] namedStart;
    private final dev.hotpatch.differ.util.LongIntMap anonymous = new dev.hotpatch.differ.util.LongIntMap();
    private final dev.hotpatch.differ.util.LongIntMap literalIndex = new dev.hotpatch.differ.util.LongIntMap();
    private final dev.hotpatch.differ.util.LongIntMap importIndex = new dev.hotpatch.differ.util.LongIntMap();
    private final List<Long> importHashes = new ArrayList<>();
    private final List<Long> literalRva = new ArrayList<>();
    private final List<Integer> literalLength = new ArrayList<>();
    private final List<Long> literalPrefix = new ArrayList<>();
    private final Hasher hasher = new Hasher();
    private final Hasher shape = new Hasher();
    private byte[] buffer = new byte[LITERAL_CAP + 16];
    /** MSVC-ABI exception structures (ThrowInfo and what it leads to) by RVA: {size, offsets of RVA fields...}. */
    private final Map<Long, long[]> ehLayouts = new HashMap<>();
    private final java.util.Set<Long> ehTried = new java.util.HashSet<>();

    public Resolver(ImageCode code, FunctionTable functions, RefTable refs, Symbols symbols) {
        this.code = code;
        this.functions = functions;
        this.refs = refs;
        for (ImportedModule m : code.image().imports()) {
            addImports(m, true);
        }
        for (ImportedModule m : code.image().delayImports()) {
            addImports(m, false);
        }
        long[] symbolBounds = symbols.boundaries();
        List<Long> tables = new ArrayList<>();
        // Loader and debug tables share .rdata with literals: their edges end a literal's extent.
        for (dev.hotpatch.pe.DataDirectory d : code.image().dataDirectories()) {
            if (d.hasAddress()) {
                tables.add(d.address());
                tables.add(d.address() + d.size());
            }
        }
        for (dev.hotpatch.pe.DebugEntry e : code.image().debugEntries()) {
            if (e.addressOfRawData() != 0) {
                tables.add(e.addressOfRawData());
                tables.add(e.addressOfRawData() + e.sizeOfData());
            }
        }
        long[] b = new long[refs.size() + symbolBounds.length + 2 * code.sections().size() + tables.size()];
        int n = 0;
        for (long t : tables) {
            b[n++] = t;
        }
        for (int i = 0; i < refs.size(); i++) {
            if ((refs.flags(i) & RefTable.CODE) == 0) {
                b[n++] = refs.target(i);
            }
        }
        for (long x : symbolBounds) {
            b[n++] = x;
        }
        for (Section s : code.sections()) {
            b[n++] = s.rva();
            b[n++] = s.rva() + Math.max(s.virtualSize(), s.mappedSize());
        }
        Arrays.sort(b, 0, n);
        int d = 0;
        for (int i = 0; i < n; i++) {
            if (d == 0 || b[d - 1] != b[i]) {
                b[d++] = b[i];
            }
        }
        boundaries = Arrays.copyOf(b, d);
        List<Symbols.Data> data = new ArrayList<>(symbols.data());
        importDirectory = code.image().directory(dev.hotpatch.pe.DirectoryKind.IMPORT)
                .filter(dev.hotpatch.pe.DataDirectory::isPresent).map(dev.hotpatch.pe.DataDirectory::address).orElse(-1L);
        data.removeIf(x -> !writable(x.rva()) || importData(code.sectionAt(x.rva())));
        data.sort((x, y) -> Long.compare(x.rva(), y.rva()));
        List<Long> starts = new ArrayList<>();
        long[][] contributions = contributions(symbols);
        for (Symbols.Data x : data) {
            if (!starts.isEmpty() && starts.get(starts.size() - 1) == x.rva()) {
                continue;
            }
            boolean contained = insideContribution(contributions, x.rva());
            boolean exact = x.size() > 0 || contained;
            long size = x.size() > 0 ? x.size() : Math.max(1, symbolEnd(symbolBounds, x.rva()) - x.rva());
            globals.add(new Global(globals.size(), x.rva(), size, x.name(), exact, null));
            starts.add(x.rva());
        }
        Map<Long, String> dataAt = new HashMap<>();
        data.forEach(x -> dataAt.putIfAbsent(x.rva(), x.name()));
        for (int i = 0; i < globals.size(); i++) {
            Global g = globals.get(i);
            if (!g.exactSize()) {
                String prev = i > 0 ? globals.get(i - 1).name() : "";
                String next = dataAt.getOrDefault(g.rva() + g.size(), "");
                globals.set(i, new Global(g.index(), g.rva(), g.size(), g.name(), false, prev + "\n" + next));
            }
        }
        namedStart = starts.stream().mapToLong(Long::longValue).toArray();
    }

    private void addImports(ImportedModule m, boolean bound) {
        for (ImportedFunction f : m.functions()) {
            String name = importKey(m, f);
            long hash = hasher.reset().add(name).value();
            importByHash.put(hash, name);
            if (bound) {
                iatByName.put(name, f.iatRva());
            }
            importIndex.put(f.iatRva(), importHashes.size());
            importHashes.add(hash);
        }
    }

    /**
     * The object files' contributions to data sections (from section symbols) as sorted, disjoint [start, end)
     * intervals, overlapping or adjacent ones merged: {starts, ends}.
     */
    private static long[][] contributions(Symbols symbols) {
        List<long[]> sorted = new ArrayList<>(symbols.contributions());
        sorted.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] starts = new long[sorted.size()];
        long[] ends = new long[sorted.size()];
        int n = 0;
        for (long[] c : sorted) {
            if (n > 0 && c[0] <= ends[n - 1]) {
                ends[n - 1] = Math.max(ends[n - 1], c[1]);
            } else {
                starts[n] = c[0];
                ends[n++] = c[1];
            }
        }
        return new long[][] {Arrays.copyOf(starts, n), Arrays.copyOf(ends, n)};
    }

    /** True when some object file's contribution holds {@code rva}. */
    private static boolean insideContribution(long[][] contributions, long rva) {
        int i = FunctionDiscovery.lastAtOrBefore(contributions[0], rva);
        return i >= 0 && rva < contributions[1][i];
    }

    private long symbolEnd(long[] symbolBounds, long rva) {
        int i = Arrays.binarySearch(symbolBounds, rva + 1);
        i = i < 0 ? -i - 1 : i;
        long next = i < symbolBounds.length ? symbolBounds[i] : Long.MAX_VALUE;
        Section s = code.sectionAt(rva);
        long end = s == null ? rva + 1 : s.rva() + (s.virtualSize() > 0 ? s.virtualSize() : s.mappedSize());
        return Math.min(next, end);
    }

    private boolean writable(long rva) {
        Section s = code.sectionAt(rva);
        return s != null && s.isWritable() && !s.isExecutable();
    }

    public Tokens tokens() {
        return tokens;
    }

    public List<Global> globals() {
        return globals;
    }

    /** Every import (delay-loaded ones too) by the hash an IMPORT token holds: {@code dll!name} (see importKey). */
    public Map<Long, String> importNames() {
        return importByHash;
    }

    /** The name an import goes by: {@code dll!function} with the DLL in lower case, or {@code dll!#ordinal}. */
    public static String importKey(ImportedModule m, ImportedFunction f) {
        return m.dllName().toLowerCase(Locale.ROOT) + "!" + f.name().orElse("#" + f.ordinal());
    }

    /**
     * The IAT slot of import {@code name} ({@code dll!function}, see importKey) in the import table the loader
     * binds before the program runs (not a delay-load table), or -1 when the image has none.
     */
    public long iatRvaOf(String name) {
        return iatByName.getOrDefault(name, -1L);
    }

    /** A short rendering of a literal's contents (strings as text, others as hex). */
    public String literalText(long index) {
        return index >= 0 && index < literalRva.size() ? render((int) index) : "";
    }

    /** Resolves every function's references into tokens and computes its shape hash. */
    public void resolveAll() {
        for (Fn fn : functions.functions()) {
            resolve(fn);
        }
        markThunks();
        for (Fn fn : functions.functions()) {
            for (int t = fn.tokenStart; t < fn.tokenEnd; t++) {
                if (tokens.kind(t) == Tokens.FUNCTION && tokens.offset(t) == 0) {
                    Fn to = functions.get((int) tokens.value(t));
                    if (to.thunkKind != 0 && to != fn) {
                        tokens.set(t, to.thunkKind, to.thunkValue, 0);
                    }
                }
            }
            fn.shapeHash = shape(fn);
            shape.reset().add(fn.bodyHash);
            for (int t = fn.tokenStart; t < fn.tokenEnd; t++) {
                shape.add(tokens.kind(t));
            }
            fn.skeletonHash = shape.value();
        }
    }

    /** A function of at most three instructions whose only reference is an import, or one direct jump. */
    private void markThunks() {
        for (Fn fn : functions.functions()) {
            if (fn.tokenEnd - fn.tokenStart != 1 || fn.instructions > 3 || fn.instructions < 1 || fn.rangeCount() != 1) {
                continue;
            }
            byte k = tokens.kind(fn.tokenStart);
            if (k == Tokens.IMPORT) {
                fn.thunkKind = Tokens.IMPORT;
                fn.thunkValue = tokens.value(fn.tokenStart);
            } else if (k == Tokens.FUNCTION && fn.instructions == 1 && tokens.offset(fn.tokenStart) == 0
                    && refs.flags(fn.refStart) == (RefTable.CODE | Step.JUMP) && tokens.value(fn.tokenStart) != fn.index()) {
                fn.thunkKind = Tokens.FUNCTION;
                fn.thunkValue = tokens.value(fn.tokenStart);
            }
        }
        // A thunk to a thunk stands for the final target.
        for (Fn fn : functions.functions()) {
            for (int hops = 0; hops < 4 && fn.thunkKind == Tokens.FUNCTION; hops++) {
                Fn to = functions.get((int) fn.thunkValue);
                if (to.thunkKind == 0 || to == fn) {
                    break;
                }
                fn.thunkKind = to.thunkKind;
                fn.thunkValue = to.thunkValue;
            }
        }
    }

    private void resolve(Fn fn) {
        fn.tokenStart = tokens.size();
        for (int i = fn.refStart; i < fn.refEnd; i++) {
            resolveOne(fn, refs.target(i), refs.flags(i), refs.accessSize(i), true);
        }
        fn.tokenEnd = tokens.size();
    }

    private long shape(Fn fn) {
        shape.reset().add(fn.bodyHash);
        for (int t = fn.tokenStart; t < fn.tokenEnd; t++) {
            byte k = tokens.kind(t);
            shape.add(k).add(tokens.offset(t));
            if (k == Tokens.LITERAL) {
                shape.add(literalPrefix((int) tokens.value(t)));
            } else if (!Tokens.isIdentity(k)) {
                shape.add(tokens.value(t));
            }
        }
        return shape.value();
    }

    private void resolveOne(Fn fn, long target, int flags, int access, boolean deep) {
        if ((flags & Step.REF_PAGE) != 0) {
            tokens.add(Tokens.PAGE, 0, 0);
            return;
        }
        if (target < 0) {
            tokens.add(Tokens.ABSOLUTE, -1, 0);
            return;
        }
        int imported = importIndex.get(target, -1);
        if (imported >= 0) {
            tokens.add(Tokens.IMPORT, importHashes.get(imported), 0);
            return;
        }
        int f = functions.functionAt(target);
        if (f >= 0) {
            Fn to = functions.get(f);
            int range = functions.rangeIndexAt(target);
            tokens.add(Tokens.FUNCTION, f, range << 24 | (int) (target - to.rangeStart(range)));
            return;
        }
        Section s = code.sectionAt(target);
        if (s == null) {
            tokens.add(Tokens.ABSOLUTE, outside(target), 0);
            return;
        }
        if (importData(s)) {
            literal(target, access, deep);
            return;
        }
        if (s.isExecutable()) {
            tokens.add(Tokens.CODE, contentHash(target, 16), 0);
            return;
        }
        if (s.isWritable()) {
            int g = globalAt(target);
            tokens.add(Tokens.GLOBAL, g, (int) (target - globals.get(g).rva()));
            return;
        }
        if (deep && fn != null && access == 0) {
            long table = jumpTable(fn, target);
            if (table != 0) {
                tokens.add(Tokens.TABLE, table, 0);
                return;
            }
        }
        if ((flags & Step.REF_INDEXED) != 0) {
            // table[i - 1]: an indexed access whose base lies just before the data it reads; the data is
            // the region that starts at the next address anything refers to.
            long next = nextBoundary(target);
            if (next - target < 16 && code.sectionAt(next) == s) {
                literal(next, 0, deep);
                tokens.set(tokens.size() - 1, Tokens.LITERAL, tokens.value(tokens.size() - 1), (int) (target - next));
                return;
            }
        }
        literal(target, access, deep);
    }

    /**
     * An address outside every section (such as a linker's end-of-list marker just past a section's data) by
     * the section it follows and the distance from that section's end, which survive relinking.
     */
    private long outside(long target) {
        Section before = null;
        for (Section s : code.sections()) {
            if (s.rva() <= target && (before == null || s.rva() > before.rva())) {
                before = s;
            }
        }
        if (before == null) {
            return hasher.reset().add("header").add(target).value();
        }
        long end = before.rva() + (before.virtualSize() > 0 ? before.virtualSize() : before.mappedSize());
        return hasher.reset().add(before.name()).add(target - end).value();
    }

    /** A writable section holding the import directory (mingw's .idata): import tables, not globals. */
    private boolean importData(Section s) {
        return s.isWritable() && importDirectory >= 0 && s.contains(importDirectory);
    }

    /** The global holding {@code rva}: a named one whose extent covers it, else the anonymous one there. */
    private int globalAt(long rva) {
        int i = Arrays.binarySearch(namedStart, rva);
        if (i < 0) {
            i = -i - 2;
        }
        if (i >= 0) {
            Global g = globals.get(i);
            if (rva < g.rva() + g.size()) {
                return g.index();
            }
        }
        int a = anonymous.get(rva, -1);
        if (a < 0) {
            long end = Math.min(nextBoundary(rva), rva + ANONYMOUS_CAP);
            a = globals.size();
            globals.add(new Global(a, rva, Math.max(1, end - rva), null, false, null));
            anonymous.put(rva, a);
        }
        return a;
    }

    private long nextBoundary(long rva) {
        int i = Arrays.binarySearch(boundaries, rva + 1);
        i = i < 0 ? -i - 1 : i;
        return i < boundaries.length ? boundaries[i] : rva + 1;
    }

    private long contentHash(long rva, int size) {
        byte[] b = new byte[size];
        code.read(rva, size, b, 0);
        return hasher.reset().add(b, 0, size).value();
    }

    /**
     * A jump table at {@code table} for a function: consecutive 32-bit entries that lead into the function,
     * read as absolute addresses (32-bit images), as offsets from the table (gcc x64) or as RVAs (MSVC x64).
     * Returns the hash of the case targets (range, offset), or 0 when fewer than two entries lead there.
     */
    private long jumpTable(Fn fn, long table) {
        long end = Math.min(nextBoundary(table), table + TABLE_CAP);
        Section s = code.sectionAt(table);
        end = Math.min(end, s.rva() + Math.max(s.virtualSize(), s.mappedSize()));
        int entries = (int) ((end - table) / 4);
        if (entries < 2) {
            return 0;
        }
        code.read(table, entries * 4, buffer, 0);
        int best = 0;
        int bestForm = -1;
        for (int form = 0; form < 3; form++) {
            if (form == 0 && code.is64()) {
                continue;
            }
            int n = 0;
            while (n < entries && functions.functionAt(caseTarget(form, table, n)) == fn.index()) {
                n++;
            }
            if (n > best) {
                best = n;
                bestForm = form;
            }
        }
        if (best < 2) {
            return 0;
        }
        hasher.reset().add(bestForm);
        for (int i = 0; i < best; i++) {
            long t = caseTarget(bestForm, table, i);
            int range = functions.rangeIndexAt(t);
            hasher.add(range).add(t - fn.rangeStart(range));
        }
        return hasher.value();
    }

    private long caseTarget(int form, long table, int i) {
        long e = (buffer[i * 4] & 0xff) | (buffer[i * 4 + 1] & 0xff) << 8 | (buffer[i * 4 + 2] & 0xff) << 16
                | (long) (buffer[i * 4 + 3]) << 24;
        return switch (form) {
            case 0 -> code.rvaOfAddress(e & 0xffffffffL);
            case 1 -> table + e;
            default -> e & 0xffffffffL;
        };
    }

    /**
     * Read-only data by its contents: the access's size when known, else a C string when it is one, else the
     * bytes up to the next address anything refers to (at most 4 KB). The token's value is an index into this
     * image's literal table; two literals are the same when their bytes agree over the shorter extent, with
     * relocated pointers inside compared by what they point at (see {@link #literalBytes}).
     */
    private void literal(long rva, int access, boolean deep) {
        long key = (rva << 16 | Math.min(access, 0xffff)) * 0x9E3779B97F4A7C15L;   // unique and well spread
        int known = literalIndex.get(key, -1);
        if (known < 0) {
            Section s = code.sectionAt(rva);
            long sectionEnd = s.rva() + Math.max(s.virtualSize(), s.mappedSize());
            long end = Math.min(Math.min(nextBoundary(rva), rva + LITERAL_CAP), sectionEnd);
            if (access > 0) {
                end = Math.min(rva + access, sectionEnd);
            }
            long[] eh = ehLayout(rva);
            if (eh != null) {
                end = Math.min(rva + Math.min(eh[0], LITERAL_CAP), sectionEnd);
            }
            int length = (int) Math.max(0, end - rva);
            code.read(rva, length, buffer, 0);
            if (access == 0 && eh == null) {
                int nul = 0;
                while (nul < length && (buffer[nul] >= 0x20 && buffer[nul] < 0x7f
                        || buffer[nul] == '\t' || buffer[nul] == '\n' || buffer[nul] == '\r')) {
                    nul++;
                }
                int reloc = code.firstRelocAtOrAfter(rva);
                boolean pointerInside = reloc < code.relocCount() && code.relocSite(reloc) <= rva + nul;
                if (nul > 0 && nul < length && buffer[nul] == 0 && !pointerInside) {
                    length = nul + 1;
                }
            }
            for (long[] slot : comparedSlots(rva, length)) {
                for (int k = (int) slot[0]; k < slot[0] + slot[1]; k++) {
                    buffer[k] = 0;
                }
            }
            known = literalRva.size();
            literalRva.add(rva);
            literalLength.add(length);
            literalPrefix.add(hasher.reset().add(buffer, 0, Math.min(length, 8)).value());
            literalIndex.put(key, known);
        }
        tokens.add(Tokens.LITERAL, known, 0);
    }

    /** How many literals the resolver has named. */
    public int literalCount() {
        return literalRva.size();
    }

    public long literalRva(int i) {
        return literalRva.get(i);
    }

    public int literalLength(int i) {
        return literalLength.get(i);
    }

    /** Hash of a literal's first bytes (pointers cleared): what the shape hash uses. */
    public long literalPrefix(int i) {
        return literalPrefix.get(i);
    }

    /**
     * A literal's first {@code length} bytes with relocated pointers cleared, and the pointers' targets:
     * {offset, width, target RVA} each.
     */
    public byte[] literalBytes(int i, int length, List<long[]> pointers) {
        return bytesWithoutPointers(literalRva.get(i), length, pointers);
    }

    /**
     * The bytes of [rva, rva + length) as the loader maps them, with the pointer slots inside cleared (see
     * {@link #slots}); the slots, {offset, width, target RVA} each, are appended to {@code pointers} in order.
     */
    public byte[] bytesWithoutPointers(long rva, int length, List<long[]> pointers) {
        byte[] out = new byte[length];
        code.read(rva, length, out, 0);
        for (long[] slot : comparedSlots(rva, length)) {
            Arrays.fill(out, (int) slot[0], (int) (slot[0] + slot[1]), (byte) 0);
            pointers.add(slot);
        }
        return out;
    }

    private String render(int index) {
        int length = Math.min(literalLength.get(index), 64);
        byte[] b = new byte[length];
        code.read(literalRva.get(index), length, b, 0);
        int printable = 0;
        while (printable < length && b[printable] >= 0x20 && b[printable] < 0x7f) {
            printable++;
        }
        if (printable > 0 && printable == literalLength.get(index) - 1) {
            String text = new String(b, 0, printable, java.nio.charset.StandardCharsets.ISO_8859_1);
            return "\"" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "\"";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(length, 16); i++) {
            hex.append(String.format("%02x", b[i] & 0xff));
        }
        return hex + (literalLength.get(index) > 16 ? "... (" + literalLength.get(index) + " bytes)" : "");
    }

    /**
     * Pointers stored in [rva, rva + length) of the same section: {offset, width, target RVA} each, in order
     * (relocated words, or in an image without relocations, aligned words that hold an address inside it).
     */
    public List<long[]> pointers(long rva, int length) {
        Section s = code.sectionAt(rva);
        if (s == null) {
            return List.of();
        }
        long end = Math.min(rva + length, s.rva() + Math.max(s.virtualSize(), s.mappedSize()));
        List<long[]> out = slots(rva, (int) Math.max(0, end - rva));
        out.removeIf(slot -> slot[2] < 0);
        return out;
    }

    /**
     * Pointer slots inside [rva, rva + length): {offset, width, target RVA}; a pointer cut by either edge is
     * listed with its clipped offset and width and target -2.
     */
    public List<long[]> slots(long rva, int length) {
        List<long[]> out = new ArrayList<>();
        if (code.hasRelocations()) {
            for (int i = code.firstRelocAtOrAfter(rva - 7); i < code.relocCount() && code.relocSite(i) < rva + length; i++) {
                long site = code.relocSite(i);
                int width = code.relocWidth(i);
                if (site >= rva && site + width <= rva + length) {
                    out.add(new long[] {site - rva, width, code.rvaOfAddress(code.readWord(site, width))});
                } else if (site + width > rva) {
                    // A pointer cut by the extent's edge: its bytes are cleared, what it points at is unknown.
                    long from = Math.max(site, rva);
                    long to = Math.min(site + width, rva + length);
                    out.add(new long[] {from - rva, to - from, -2});
                }
            }
        } else if (code.is64() || code.imageBase() >= 0x10000) {
            int width = code.is64() ? 8 : 4;
            for (long a = (rva + width - 1) / width * width; a + width <= rva + length; a += width) {
                long target = code.rvaOfAddress(code.readWord(a, width));
                if (target > 0) {
                    out.add(new long[] {a - rva, width, target});
                }
            }
        }
        return out;
    }

    /**
     * The pointer slots that comparing data follows: {@link #slots} (relocated pointers), plus the 32-bit RVA fields
     * of an MSVC-ABI exception structure that starts at {@code rva} ({@link ThrowInfos}), in offset order. Only
     * comparison uses the RVA fields; data carried into a patch is rebuilt from {@link #slots} alone.
     */
    private List<long[]> comparedSlots(long rva, int length) {
        List<long[]> out = slots(rva, length);
        long[] eh = ehLayouts.get(rva);
        if (eh == null) {
            return out;
        }
        for (int i = 1; i < eh.length; i++) {
            long target = code.readWord(rva + eh[i], 4);
            if (eh[i] + 4 <= length && target != 0) {
                out.add(new long[] {eh[i], 4, target});
            }
        }
        out.sort(java.util.Comparator.comparingLong(slot -> slot[0]));
        return out;
    }

    /** The exception structure starting at {@code rva} ({size, RVA field offsets...}), recognised on first sight. */
    private long[] ehLayout(long rva) {
        if (code.machine() != Machine.AMD64 && code.machine() != Machine.ARM64) {
            return null;
        }
        if (!ehLayouts.containsKey(rva) && ehTried.add(rva)) {
            ThrowInfos.register(code, rva, ehLayouts);
        }
        return ehLayouts.get(rva);
    }

    /** Whether literal {@code i} is an MSVC-ABI exception structure, compared through all its levels. */
    public boolean isExceptionStructure(int i) {
        return ehLayouts.containsKey(literalRva.get(i));
    }

    /**
     * What a pointer stored in data refers to, as one token's {kind, value, offset} without appending it:
     * used to compare globals' initial values.
     */
    public long[] identify(long target) {
        long[] known = identified.get(target);
        if (known != null) {
            return known;
        }
        long[] out = identifyOnce(target);
        identified.put(target, out);
        return out;
    }

    private final Map<Long, long[]> identified = new HashMap<>();

    private long[] identifyOnce(long target) {
        int mark = tokens.size();
        resolveOne(null, target, Step.REF_DATA, 0, false);
        long[] out = {tokens.kind(mark), tokens.value(mark), tokens.offset(mark)};
        tokens.truncate(mark);
        return out;
    }

    /** Describes a token for people: a function name, an import, a global, a literal's contents. */
    public String describe(int token, FunctionTable table) {
        byte k = tokens.kind(token);
        long v = tokens.value(token);
        int off = tokens.offset(token);
        return switch (k) {
            case Tokens.FUNCTION -> {
                Fn f = table.get((int) v);
                int range = off >>> 24;
                int o = off & 0xffffff;
                yield f.displayName() + (range > 0 ? ".part" + range : "") + (o != 0 ? "+0x" + Integer.toHexString(o) : "");
            }
            case Tokens.IMPORT -> importByHash.getOrDefault(v, "import");
            case Tokens.GLOBAL -> globals.get((int) v).displayName() + (off != 0 ? "+0x" + Integer.toHexString(off) : "");
            case Tokens.LITERAL -> "literal " + literalText(v);
            case Tokens.TABLE -> String.format("jump table #%08x", v >>> 32);
            case Tokens.CODE -> String.format("code #%08x", v >>> 32);
            case Tokens.ABSOLUTE -> v < 0 ? "address outside the image" : String.format("rva 0x%x outside every section", v);
            case Tokens.PAGE -> "page";
            default -> "";
        };
    }
}
