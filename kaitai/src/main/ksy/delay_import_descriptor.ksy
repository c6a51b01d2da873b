meta:
  id: delay_import_descriptor
  title: Delay-load directory entry (IMAGE_DELAYLOAD_DESCRIPTOR)
  endian: le
doc: |
  One 32-byte entry of the delay-load directory table; the table ends with an all-zero entry. When bit 0
  of `attributes` is clear (the old Visual C++ 6 form) every address field, and every name table entry,
  holds a VA instead of an RVA. The import name table has the layout of import_descriptor's `thunk_run`.
doc-ref: PE Format, "Delay-Load Import Tables (Image Only)", "The Delay-Load Directory Table"
seq:
  - id: attributes
    -orig-id: Attributes (grAttrs)
    type: u4
    doc: Bit 0 (dlattrRva) set when the fields below are RVAs.
  - id: rva_name
    -orig-id: Name (DllNameRVA)
    type: u4
    doc: The DLL's NUL-terminated name.
  - id: rva_module_handle
    -orig-id: Module Handle (ModuleHandleRVA)
    type: u4
    doc: Where the helper stores the loaded DLL's handle.
  - id: rva_import_address_table
    -orig-id: Delay Import Address Table (ImportAddressTableRVA)
    type: u4
  - id: rva_import_name_table
    -orig-id: Delay Import Name Table (ImportNameTableRVA)
    type: u4
  - id: rva_bound_import_address_table
    -orig-id: Bound Delay Import Table (BoundImportAddressTableRVA)
    type: u4
  - id: rva_unload_information_table
    -orig-id: Unload Delay Import Table (UnloadInformationTableRVA)
    type: u4
  - id: time_date_stamp
    -orig-id: Time Stamp (TimeDateStamp)
    type: u4
    doc: The bound DLL's timestamp, or 0 when not bound.
instances:
  is_rva_based:
    value: (attributes & 1) != 0
