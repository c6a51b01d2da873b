package dev.hotpatch.pdb;

import java.util.List;

/**
 * What a PDB says about its image: its identity (GUID, age, signature), the procedures and data symbols of its
 * modules, and the publics of its symbol record stream, with RVAs from its copy of the section table and data
 * sizes from its type stream. Immutable.
 */
public final class PdbFile {
    private final String name;
    private final String guid;
    private final byte[] guidBytes;
    private final long age;
    private final long infoAge;
    private final long signature;
    private final List<PdbProcedure> procedures;
    private final List<PdbData> dataSymbols;
    private final List<PdbPublic> publics;
    private final List<String> warnings;
    private final long guidFileOffset;
    private final long signatureFileOffset;

    PdbFile(String name, String guid, byte[] guidBytes, long age, long infoAge, long signature,
            List<PdbProcedure> procedures, List<PdbData> dataSymbols, List<PdbPublic> publics, List<String> warnings,
            long guidFileOffset, long signatureFileOffset) {
        this.name = name;
        this.guid = guid;
        this.guidBytes = guidBytes.clone();
        this.age = age;
        this.infoAge = infoAge;
        this.signature = signature;
        this.procedures = List.copyOf(procedures);
        this.dataSymbols = List.copyOf(dataSymbols);
        this.publics = List.copyOf(publics);
        this.warnings = List.copyOf(warnings);
        this.guidFileOffset = guidFileOffset;
        this.signatureFileOffset = signatureFileOffset;
    }

    /** The file name the PDB was read from. */
    public String name() { return name; }

    /**
     * The GUID as {@code {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}}, lower case, formatted exactly like
     * {@link dev.hotpatch.pe.CodeViewInfo#guid()} (both by {@link dev.hotpatch.pe.Guids#format}) so that the two
     * compare with {@code equals}.
     */
    public String guid() { return guid; }

    /** The 16 GUID bytes as stored (Data1..Data3 little-endian). */
    public byte[] guidBytes() { return guidBytes.clone(); }

    /**
     * The age an image's CodeView record must name: the DBI stream's (which stays at the image's age when tools
     * rewrite the PDB later), or the PDB info stream's when the PDB has no DBI stream.
     */
    public long age() { return age; }

    /** The PDB info stream's age: how many times the file was written; at least {@link #age()}. */
    public long infoAge() { return infoAge; }

    /** The PDB info stream's signature (a time stamp, or a hash with /Brepro). */
    public long signature() { return signature; }

    /** Procedures of all modules, in module order then stream order. */
    public List<PdbProcedure> procedures() { return procedures; }

    /** Data symbols of all modules, then those only in the symbol record stream. */
    public List<PdbData> dataSymbols() { return dataSymbols; }

    /** Publics in symbol record stream order. */
    public List<PdbPublic> publics() { return publics; }

    /** Recoverable oddities met while reading. */
    public List<String> warnings() { return warnings; }

    /** File offset of the info stream's GUID field, for errors about it. */
    long guidFileOffset() { return guidFileOffset; }

    /** File offset of the info stream's signature field, for errors about it. */
    long signatureFileOffset() { return signatureFileOffset; }

    @Override
    public String toString() {
        return "PdbFile[" + name + " " + guid() + " age " + age + ", " + procedures.size() + " procedures, "
                + dataSymbols.size() + " data symbols, " + publics.size() + " publics]";
    }
}
