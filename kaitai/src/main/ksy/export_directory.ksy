meta:
  id: export_directory
  title: Export directory table (IMAGE_EXPORT_DIRECTORY) and the tables it points at
  endian: le
doc: |
  The 40-byte export directory table at the export data directory's RVA, and the three arrays it points
  at. The arrays' counts come from this table; the reader checks them against the image and
  Limits.MAX_EXPORTS, then parses each array in bounded runs .
doc-ref: PE Format, "The .edata Section (Image Only)"
seq:
  - id: flags
    -orig-id: Export Flags (Characteristics)
    type: u4
    doc: Reserved, 0.
  - id: time_date_stamp
    -orig-id: Time/Date Stamp
    type: u4
  - id: major_version
    -orig-id: Major Version
    type: u2
  - id: minor_version
    -orig-id: Minor Version
    type: u2
  - id: rva_name
    -orig-id: Name RVA
    type: u4
    doc: RVA of the NUL-terminated name of the DLL.
  - id: ordinal_base
    -orig-id: Ordinal Base
    type: u4
    doc: Ordinal of the first entry of the export address table.
  - id: num_functions
    -orig-id: Address Table Entries (NumberOfFunctions)
    type: u4
  - id: num_names
    -orig-id: Number of Name Pointers (NumberOfNames)
    type: u4
  - id: rva_functions
    -orig-id: Export Address Table RVA (AddressOfFunctions)
    type: u4
  - id: rva_names
    -orig-id: Name Pointer RVA (AddressOfNames)
    type: u4
  - id: rva_name_ordinals
    -orig-id: Ordinal Table RVA (AddressOfNameOrdinals)
    type: u4
types:
  address_table:
    doc-ref: PE Format, "Export Address Table"
    params:
      - id: num_rvas
        type: u4
    seq:
      - id: rvas
        -orig-id: Export RVA / Forwarder RVA
        type: u4
        repeat: expr
        repeat-expr: num_rvas
        doc: |
          RVA of the exported code or data; when it points inside the export directory's range, RVA of a
          forwarder string such as "NTDLL.RtlAllocateHeap". 0 marks an unused ordinal.
  name_pointer_table:
    doc-ref: PE Format, "Export Name Pointer Table"
    params:
      - id: num_rva_names
        type: u4
    seq:
      - id: rva_names
        -orig-id: Export Name Pointer
        type: u4
        repeat: expr
        repeat-expr: num_rva_names
        doc: RVAs of the export names, in lexical order.
  ordinal_table:
    doc-ref: PE Format, "Export Ordinal Table"
    params:
      - id: num_ordinals
        type: u4
    seq:
      - id: ordinals
        -orig-id: Export Ordinal
        type: u2
        repeat: expr
        repeat-expr: num_ordinals
        doc: |
          Index into the export address table of the name with the same position (unbiased: the
          export's ordinal is this plus `ordinal_base`).
