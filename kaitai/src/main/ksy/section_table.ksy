meta:
  id: section_table
  title: Section table (IMAGE_SECTION_HEADER array)
  endian: le
doc: |
  The section headers that follow the optional header. The count comes from the COFF file header and is
  checked against the file's length by the reader before this is parsed.
doc-ref: PE Format, "Section Table (Section Headers)"
params:
  - id: num_sections
    type: u4
seq:
  - id: sections
    type: section_header
    repeat: expr
    repeat-expr: num_sections
types:
  section_header:
    seq:
      - id: name
        -orig-id: Name
        size: 8
        doc: |
          Null-padded UTF-8 name; in object files and mingw images a name of the form "/123" is an offset
          into the COFF string table.
      - id: virtual_size
        -orig-id: VirtualSize
        type: u4
      - id: rva
        -orig-id: VirtualAddress
        type: u4
      - id: len_raw_data
        -orig-id: SizeOfRawData
        type: u4
      - id: ofs_raw_data
        -orig-id: PointerToRawData
        type: u4
      - id: ofs_relocations
        -orig-id: PointerToRelocations
        type: u4
      - id: ofs_line_numbers
        -orig-id: PointerToLinenumbers
        type: u4
      - id: num_relocations
        -orig-id: NumberOfRelocations
        type: u2
      - id: num_line_numbers
        -orig-id: NumberOfLinenumbers
        type: u2
      - id: characteristics
        -orig-id: Characteristics
        type: u4
