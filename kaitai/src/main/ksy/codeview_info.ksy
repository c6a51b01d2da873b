meta:
  id: codeview_info
  title: CodeView debug information record (RSDS or NB10)
  endian: le
doc: |
  The data of an IMAGE_DEBUG_TYPE_CODEVIEW debug entry: a signature, then the PDB identity and the PDB
  path as a NUL-terminated string. The reader parses it over exactly SizeOfData bytes (at most
  Limits.MAX_CODEVIEW_LENGTH), so the string cannot run past the entry.
doc-ref: Microsoft PDB format, "CV_INFO_PDB70" and "CV_INFO_PDB20"
seq:
  - id: signature
    -orig-id: CvSignature
    type: u4
    doc: 0x53445352 ("RSDS", PDB 7.0) or 0x3031424e ("NB10", PDB 2.0).
  - id: pdb70
    type: pdb70_info
    if: signature == 0x53445352
  - id: pdb20
    type: pdb20_info
    if: signature == 0x3031424e
types:
  pdb70_info:
    seq:
      - id: guid
        -orig-id: Signature
        type: guid
        doc: GUID of the PDB.
      - id: age
        -orig-id: Age
        type: u4
      - id: pdb_path
        -orig-id: PdbFileName
        type: strz
        encoding: UTF-8
  pdb20_info:
    seq:
      - id: ofs_debug_info
        -orig-id: Offset
        type: u4
        doc: Always 0 for a separate PDB.
      - id: pdb_signature
        -orig-id: Signature
        type: u4
        doc: Time-stamp signature of the PDB.
      - id: age
        -orig-id: Age
        type: u4
      - id: pdb_path
        -orig-id: PdbFileName
        type: strz
        encoding: UTF-8
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
