package dev.hotpatch.pe;

import java.util.List;
import java.util.Optional;

/**
 * One data directory entry. For {@link DirectoryKind#CERTIFICATE} the address is a file offset, not an RVA.
 */
public record DataDirectory(DirectoryKind kind, long address, long size) {
    /**
     * The entry of that kind when the header has one (it may hold fewer than 16), empty or not: callers say
     * which rule makes it present, {@link #isPresent} or {@link #hasAddress}.
     */
    static Optional<DataDirectory> inHeader(List<DataDirectory> directories, DirectoryKind kind) {
        return kind.ordinal() < directories.size() ? Optional.of(directories.get(kind.ordinal())) : Optional.empty();
    }

    /** Address and size both set: how the exception, load-config, debug and certificate readers see it. */
    public boolean isPresent() {
        return address != 0 && size != 0;
    }

    /**
     * The loader's rule for exports, imports, delay-load imports and TLS: the address alone says the
     * directory is there (images whose size is 0 load fine).
     */
    public boolean hasAddress() {
        return address != 0;
    }
}
