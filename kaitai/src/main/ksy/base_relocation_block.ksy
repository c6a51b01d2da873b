meta:
  id: base_relocation_block
  title: Base relocation block (IMAGE_BASE_RELOCATION) and its entries
  endian: le
doc: |
  One block of the .reloc table: a 4 KB page's RVA, the block's size, then 16-bit entries, each a type in
  the high 4 bits and an offset into the page in the low 12 bits. The reader parses the header, checks
  `len_block` against the directory and Limits.MAX_RELOCATIONS, then parses the entries in bounded runs
  with `entry_run`.
doc-ref: PE Format, "The .reloc Section (Image Only)", "Base Relocation Block"
seq:
  - id: rva_page
    -orig-id: Page RVA
    type: u4
  - id: len_block
    -orig-id: Block Size
    type: u4
    doc: Bytes in the block, these 8 header bytes included.
types:
  entry_run:
    doc-ref: PE Format, "Base Relocation Block" (Type, Offset)
    params:
      - id: num_entries
        type: u4
    seq:
      - id: entries
        type: u2
        repeat: expr
        repeat-expr: num_entries
        doc: |
          Bits 15-12 the relocation type (`base_relocation_type`), bits 11-0 the offset of the site from
          `rva_page`. A HIGHADJ entry's parameter (the low 16 bits of the 32-bit adjustment) takes the
          next entry's slot.
enums:
  base_relocation_type:
    0: absolute
    1: high
    2: low
    3: highlow
    4: highadj
    5: arm_mov32
    7: thumb_mov32
    10: dir64
