package dev.hotpatch.pe;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders the directories of a {@link PeImage} one fact per line, in the format pe_directories.py (pefile and
 * objdump) prints, so that DirectorySamplesTest can compare the two.
 */
final class DirectoryDump {
    private DirectoryDump() {}

    static List<String> exports(PeImage image) {
        List<String> out = new ArrayList<>();
        image.exports().ifPresent(t -> {
            out.add("dll " + t.dllName());
            for (ExportEntry e : t.entries()) {
                out.add("export " + e.ordinal() + " " + e.name().orElse("-") + " " + Long.toHexString(e.rva()) + " "
                        + e.forwarder().orElse("-"));
            }
        });
        return out;
    }

    static List<String> imports(PeImage image) {
        List<String> out = new ArrayList<>();
        for (ImportedModule m : image.imports()) {
            imports(out, "import", m);
        }
        for (ImportedModule m : image.delayImports()) {
            imports(out, "delay", m);
        }
        return out;
    }

    private static void imports(List<String> out, String kind, ImportedModule m) {
        for (ImportedFunction f : m.functions()) {
            out.add(kind + " " + m.dllName() + " " + f.name().orElse("#" + f.ordinal()) + " "
                    + (f.isByOrdinal() ? "-" : String.valueOf(f.hint())) + " " + Long.toHexString(f.iatRva()));
        }
    }

    static List<String> relocations(PeImage image) {
        List<String> out = new ArrayList<>();
        BaseRelocations r = image.relocations();
        for (int i = 0; i < r.count(); i++) {
            out.add("reloc " + Long.toHexString(r.rva(i)) + " " + r.type(i).code());
        }
        return out;
    }

    static List<String> tls(PeImage image) {
        List<String> out = new ArrayList<>();
        image.tls().ifPresent(t -> {
            out.add("tls " + Long.toHexString(t.rawDataStartRva()) + " " + Long.toHexString(t.rawDataEndRva()) + " "
                    + Long.toHexString(t.indexRva()) + " " + Long.toHexString(t.callbacksRva()));
            t.callbackRvas().forEach(c -> out.add("tls_callback " + Long.toHexString(c)));
        });
        return out;
    }

    static List<String> symbols(PeImage image) {
        List<String> out = new ArrayList<>();
        for (CoffSymbol s : image.symbols().list()) {
            out.add("symbol " + s.index() + " " + s.name() + " " + Long.toHexString(s.value()) + " "
                    + s.sectionNumber() + " " + Integer.toHexString(s.type()) + " " + s.storageClass() + " "
                    + s.numberOfAuxSymbols());
        }
        return out;
    }

    static List<String> all(PeImage image) {
        List<String> out = new ArrayList<>(exports(image));
        out.addAll(imports(image));
        out.addAll(relocations(image));
        out.addAll(tls(image));
        out.addAll(symbols(image));
        return out;
    }
}
