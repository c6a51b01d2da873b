meta:
  id: pdb_info_stream
  title: PDB info stream header (stream 1)
  endian: le
doc: |
  The start of stream 1: the PDB's version and identity. The GUID and age are what the CodeView (RSDS)
  record of the image names; a PDB whose GUID or age differs belongs to another build. The named-stream
  map and feature codes that follow are not read. Versions before VC70 (20000404) have no GUID and are
  refused.
doc-ref: LLVM, "The PDB Info Stream (aka the PDB Stream)" (Stream Header)
seq:
  - id: version
    -orig-id: Version
    type: u4
    doc: 20000404 (VC70) or later.
  - id: signature
    -orig-id: Signature
    type: u4
    doc: Time the PDB was written (seconds since 1970), or a hash with /Brepro.
  - id: age
    -orig-id: Age
    type: u4
    doc: Incremented each time the PDB is written; matches the CodeView record's age.
  - id: guid
    -orig-id: UniqueId
    type: guid
types:
  guid:
    doc-ref: Windows SDK guiddef.h, "GUID"
    seq:
      - id: data1
        -orig-id: Data1
        type: u4
      - id: data2
        -orig-id: Data2
        type: u2
      - id: data3
        -orig-id: Data3
        type: u2
      - id: data4
        -orig-id: Data4
        size: 8
