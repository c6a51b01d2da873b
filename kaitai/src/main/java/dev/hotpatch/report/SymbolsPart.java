package dev.hotpatch.report;

import dev.hotpatch.pe.CoffSymbol;
import dev.hotpatch.pe.CoffSymbols;
import dev.hotpatch.pe.PeImage;

/** A summary of the COFF symbol table (mingw images keep one). */
final class SymbolsPart implements ReportPart {
    private final CoffSymbols symbols;

    SymbolsPart(PeImage image) {
        this.symbols = image.symbols();
    }

    @Override
    public void text(StringBuilder out) {
        out.append("COFF symbols: ").append(symbols.count()).append(" (").append(functions())
                .append(" functions)\n");
    }

    @Override
    public void json(JsonWriter j) {
        j.name("coffSymbols").beginObject().field("count", symbols.count()).field("functions", functions())
                .endObject();
    }

    private long functions() {
        return symbols.list().stream().filter(CoffSymbol::isFunction).count();
    }
}
