meta:
  id: debug_directory
  title: Debug directory (IMAGE_DEBUG_DIRECTORY array)
  endian: le
doc: |
  The debug directory is an array of 28-byte entries; the count is the data directory's size divided by
  the entry size, checked against the file and Limits.MAX_DEBUG_ENTRIES before this is parsed. Each
  entry locates its data by file offset (PointerToRawData); AddressOfRawData is 0 when the data is not
  mapped.
doc-ref: PE Format, "The .debug Section", "Debug Directory (Image Only)", "Debug Type"
params:
  - id: num_entries
    type: u4
seq:
  - id: entries
    type: debug_entry
    repeat: expr
    repeat-expr: num_entries
types:
  debug_entry:
    seq:
      - id: characteristics
        -orig-id: Characteristics
        type: u4
      - id: time_date_stamp
        -orig-id: TimeDateStamp
        type: u4
      - id: major_version
        -orig-id: MajorVersion
        type: u2
      - id: minor_version
        -orig-id: MinorVersion
        type: u2
      - id: type
        -orig-id: Type
        type: u4
        doc: An IMAGE_DEBUG_TYPE_* value; see the debug_type enum for names.
      - id: len_data
        -orig-id: SizeOfData
        type: u4
      - id: rva_data
        -orig-id: AddressOfRawData
        type: u4
        doc: RVA of the data when it is mapped, else 0.
      - id: ofs_data
        -orig-id: PointerToRawData
        type: u4
        doc: File offset of the data.
enums:
  debug_type:
    0: unknown
    1: coff
    2: codeview
    3: fpo
    4: misc
    5: exception
    6: fixup
    7: omap_to_src
    8: omap_from_src
    9: borland
    10: reserved10
    11: clsid
    12: vc_feature
    13: pogo
    14: iltcg
    15: mpx
    16: repro
    17: embedded_portable_pdb
    18: spgo
    19: pdb_checksum
    20: ex_dllcharacteristics
