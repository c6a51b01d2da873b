meta:
  id: pdb_section_header_stream
  title: PDB section header stream (IMAGE_SECTION_HEADER array)
  endian: le
  imports:
    - section_table
doc: |
  The stream that entry 5 of the DBI optional debug header names: a copy of the image's section table,
  one 40-byte IMAGE_SECTION_HEADER per section, in the image's order. Symbols give addresses as
  (segment, offset) with 1-based segments; the RVA is the VirtualAddress of section (segment - 1) plus
  the offset. The count is the stream size divided by 40, checked against Limits.MAX_SECTIONS.
doc-ref: LLVM, "The PDB DBI (Debug Info) Stream" (Optional Debug Header Stream)
params:
  - id: num_sections
    type: u4
seq:
  - id: sections
    type: section_table::section_header
    repeat: expr
    repeat-expr: num_sections
