package dev.hotpatch.pe;

/**
 * The CodeView record of a debug entry: which PDB matches the image.
 *
 * @param signature "RSDS" (PDB 7.0) or "NB10" (PDB 2.0)
 * @param guid      the PDB GUID as {@code {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}} (RSDS), or the PDB's time-stamp
 *                  signature as 8 hex digits (NB10)
 * @param age       the PDB age
 * @param pdbPath   the PDB path as the linker wrote it
 */
public record CodeViewInfo(String signature, String guid, long age, String pdbPath) implements DebugInfo {

    /** The key a symbol server files the PDB under: GUID (or signature) digits, upper case, then the age in hex. */
    public String symbolServerKey() {
        return guid.replaceAll("[{}-]", "").toUpperCase(java.util.Locale.ROOT)
                + Long.toHexString(age).toUpperCase(java.util.Locale.ROOT);
    }
}
