meta:
  id: import_descriptor
  title: Import directory entry (IMAGE_IMPORT_DESCRIPTOR), import lookup table and hint/name entries
  endian: le
doc: |
  One 20-byte entry of the import directory table; the table ends with an all-zero entry. The reader
  parses entries one at a time up to Limits.MAX_IMPORT_MODULES, and each lookup table in bounded runs of
  `thunk_run` until its zero entry. The delay-load import name table uses the same `thunk_run` layout.
doc-ref: PE Format, "The .idata Section", "Import Directory Table"
seq:
  - id: rva_import_lookup_table
    -orig-id: Import Lookup Table RVA (OriginalFirstThunk)
    type: u4
    doc: |
      RVA of the import lookup table, which names the imports. 0 in images from old linkers (Borland),
      which keep the names only in the import address table.
  - id: time_date_stamp
    -orig-id: Time/Date Stamp
    type: u4
    doc: 0 unless bound; -1 when bound with the new-style bound import directory.
  - id: forwarder_chain
    -orig-id: Forwarder Chain
    type: u4
  - id: rva_name
    -orig-id: Name RVA
    type: u4
    doc: RVA of the NUL-terminated name of the DLL.
  - id: rva_import_address_table
    -orig-id: Import Address Table RVA (FirstThunk)
    type: u4
    doc: RVA of the import address table, which the loader overwrites with the imports' addresses.
types:
  thunk_run:
    doc-ref: PE Format, "Import Lookup Table"
    params:
      - id: num_thunks
        type: u4
      - id: is_pe32_plus
        type: bool
    seq:
      - id: thunks
        type: thunk(is_pe32_plus)
        repeat: expr
        repeat-expr: num_thunks
  thunk:
    doc-ref: PE Format, "Import Lookup Table"
    params:
      - id: is_pe32_plus
        type: bool
    seq:
      - id: value
        -orig-id: Ordinal/Name Flag, Ordinal Number, Hint/Name Table RVA
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
        doc: 32 bits in PE32 images, 64 in PE32+; 0 ends the table.
    instances:
      is_end:
        value: value == 0
      is_ordinal:
        -orig-id: Ordinal/Name Flag
        value: 'is_pe32_plus ? (value >> 63) != 0 : (value >> 31) != 0'
        doc: The top bit; set when the import is by ordinal.
      ordinal:
        -orig-id: Ordinal Number
        value: value & 0xffff
        doc: The low 16 bits, meaningful when `is_ordinal`.
      rva_hint_name:
        -orig-id: Hint/Name Table RVA
        value: (value & 0x7fffffffffffffff).as<u8>
        doc: |
          The value without the flag, meaningful when not `is_ordinal`: the RVA of a hint/name entry. The
          spec gives it bits 30-0; wider values are kept so that the reader can reject them, and so that
          the old VA-based delay-load form keeps its VAs.
  hint_name_entry:
    doc-ref: PE Format, "Hint/Name Table"
    seq:
      - id: hint
        -orig-id: Hint
        type: u2
        doc: Index into the exporting DLL's name pointer table tried first.
      - id: name
        -orig-id: Name
        type: strz
        encoding: ISO-8859-1
        eos-error: false
        doc: |
          The import's name, as the exporting DLL spells it. The reader parses the entry over a window of
          at most Limits.MAX_NAME_LENGTH name bytes and rejects a name that reaches the window's end
          without its NUL (hence no error at the end of the stream here).
