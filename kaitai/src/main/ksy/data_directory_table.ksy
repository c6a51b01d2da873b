meta:
  id: data_directory_table
  title: Optional header data directories (IMAGE_DATA_DIRECTORY array)
  endian: le
doc: |
  The data directories that follow the optional header's Windows-specific fields. The count is the
  header's NumberOfRvaAndSizes, checked and clamped to 16 by the reader before this is parsed.
doc-ref: PE Format, "Optional Header Data Directories (Image Only)"
params:
  - id: num_entries
    type: u4
seq:
  - id: entries
    type: data_directory
    repeat: expr
    repeat-expr: num_entries
types:
  data_directory:
    seq:
      - id: rva
        -orig-id: VirtualAddress
        type: u4
        doc: RVA of the table; for the certificate table (index 4) this is a file offset instead.
      - id: len
        -orig-id: Size
        type: u4
