package dev.hotpatch.differ;

import dev.hotpatch.differ.code.ImageCode;
import dev.hotpatch.differ.functions.Fn;
import dev.hotpatch.differ.functions.FunctionTable;
import dev.hotpatch.differ.resolve.Resolver;
import dev.hotpatch.differ.resolve.Tokens;

import java.nio.file.Path;
import java.util.List;

/** One image after discovery, normalisation and resolution: everything the matcher and classifier read. */
public record ImageAnalysis(Path path, ImageCode code, FunctionTable functions, Resolver resolver, long instructions,
                            List<String> warnings) {

    public Tokens tokens() {
        return resolver.tokens();
    }

    public Fn function(int index) {
        return functions.get(index);
    }
}
