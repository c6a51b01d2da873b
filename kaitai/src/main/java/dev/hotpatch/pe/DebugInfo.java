package dev.hotpatch.pe;

/** What the reader understood of a debug entry's data: CodeView, REPRO or extended DLL characteristics. */
public sealed interface DebugInfo permits CodeViewInfo, DebugInfo.Repro, DebugInfo.ExDllCharacteristics {

    /** IMAGE_DEBUG_TYPE_REPRO: the image was built deterministically; the hash is empty when the entry is. */
    record Repro(byte[] hash) implements DebugInfo {
        public Repro {
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }
    }

    /** IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS: IMAGE_DLLCHARACTERISTICS_EX_* flags. */
    record ExDllCharacteristics(long flags) implements DebugInfo {
        public static final long CET_COMPAT = 0x1;

        public boolean cetCompatible() {
            return (flags & CET_COMPAT) != 0;
        }
    }
}
