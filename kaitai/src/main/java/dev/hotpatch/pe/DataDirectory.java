package dev.hotpatch.pe;

/**
 * One data directory entry. For {@link DirectoryKind#CERTIFICATE} the address is a file offset, not an RVA.
 */
public record DataDirectory(DirectoryKind kind, long address, long size) {
    public boolean isPresent() {
        return address != 0 && size != 0;
    }
}
