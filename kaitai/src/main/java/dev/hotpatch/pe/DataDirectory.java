package dev.hotpatch.pe;

/**
 * One data directory entry. For {@link DirectoryKind#CERTIFICATE} the address is a file offset, not an RVA.
 */
public record DataDirectory(DirectoryKind kind, long address, long size) {
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
